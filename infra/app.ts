/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy --all` (cdk.json runs `npx tsx infra/app.ts`).
 *
 * Stacks: CrmData (the table and the signing key), CrmMessaging (SES configuration set, its
 * event rule and handler, the campaign send queue and sender), CrmSchedule (EventBridge Scheduler group, schedule targets, their
 * DLQ), CrmFiles (import and export buckets), CrmConsole (the web console: a private S3 bucket behind
 * CloudFront with origin access control, security headers, the SPA router function), CrmApi (Cognito
 * with the hosted UI and the console's app client, HTTP API, functions), CrmConsoleConfig (the
 * console's config.json), CrmReporting (stream consumer), and CrmInbound (SES receipt rule set, raw
 * mail bucket and the inbound email function) only when inboundEmailDomain is set.
 * CrmConsole comes before CrmApi, which takes the console's origin for CORS and its client's callback
 * URLs, and before CrmFiles, whose imports bucket takes it for the console's uploads (CORS); CrmConsoleConfig comes after both, as config.json holds the API URL and the client. CrmConsole's
 * CSP names API Gateway's hosts in the region (or publicApiUrl's origin), since it cannot refer to the API.
 * `cdk synth` first builds the console (console/dist) when it is missing or older than its sources.
 * cdk-nag's AWS Solutions checks run on every synth and fail it on an unacknowledged finding.
 *
 * Context values (cdk.json "context" or `-c key=value`):
 *   stage               suffix for the stack names (CrmData-<stage>, ...) to deploy several
 *                       copies into one account                              default: none
 *   corsOrigins         more allowed browser origins, JSON array or comma-separated,
 *                       e.g. -c corsOrigins=https://crm.example.com   default: the web console's only
 *   logRetentionDays    retention of function and access logs, a CloudWatch
 *                       value (1, 3, 5, 7, 14, 30, 60, 90, 180, 365, ...)    default: 30
 *   throttleRateLimit   API requests per second, steady state (default stage) default: 100
 *   throttleBurstLimit  API burst capacity                                   default: 200
 *   removalPolicy       retain | destroy: log groups, user pool, signing secret and the
 *                       failure queue on stack deletion; retain also turns on
 *                       the user pool's deletion protection. The table is always
 *                       retained and deletion-protected.                     default: retain
 *   cognitoPlan         essentials | plus: Plus adds enforced threat protection,
 *                       billed per monthly active user                       default: essentials
 *   mailFrom            sender of reminder email, a verified SES identity (the address or
 *                       its domain); the reminder function may then send only as
 *                       that address or domain. Without it, reminders go out from the
 *                       mailer's default sender and SES sending is not limited
 *                       to one identity                                      default: none
 *   sendRatePerSecond   campaign and sequence emails per second across all
 *                       senders                                  default: SES's MaxSendRate
 *   publicApiUrl        https base URL of the API for links in emails (custom
 *                       domain)             default: the API Gateway URL of the request
 *   nlModel             Bedrock model or inference profile id that suggests segment
 *                       filters where the rules left words unmatched (segments
 *                       function: NL_MODEL_ID and InvokeModel on that model only)
 *                                                                            default: none
 *   cognitoDomainPrefix prefix of the Cognito hosted UI's domain, <prefix>.auth.<region>.amazoncognito.com,
 *                       unique in the region           default: crm-<account id> (crm-<stage>-<account id>)
 *   inboundEmailDomain  domain SES receives mail for: the tenants' logging addresses
 *                       log-<token>@<domain>; adds the CrmInbound stack (see the README's
 *                       "Inbound email" for the MX record and activating the rule set)
 *                                                                            default: none
 *   tracing             active | disabled: X-Ray active tracing of every function and the
 *                       X-Ray grant on its role (the code has no X-Ray SDK: Lambda's own
 *                       segments only)                                       default: disabled
 *
 * Outputs: CrmData.TableName, CrmApi.ApiUrl, CrmApi.UserPoolId, CrmApi.UserPoolClientId,
 * CrmApi.ConsoleClientId, CrmApi.HostedUiUrl, CrmConsole.ConsoleUrl, CrmConsole.ConsoleBucketName,
 * CrmConsole.DistributionId,
 * CrmReporting.StreamFailureQueueUrl, CrmReporting.EventBusName, CrmReporting.EventBusArn,
 * CrmReporting.EventDlqUrl, CrmSchedule.ScheduleGroupName, CrmSchedule.ScheduleFailureQueueUrl,
 * and with inbound email CrmInbound.ReceiptRuleSetName, CrmInbound.MxRecord, CrmInbound.InboundMailBucketName,
 * CrmInbound.InboundEmailFailureQueueUrl.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';
import { ensureConsoleBuilt } from './local/console-build.ts';
import { consoleLogger } from './local/logger.ts';

// The CrmConsole stack deploys console/dist: built here when missing or older than its sources
// (a few seconds), skipped when fresh, so `cdk synth` works on a fresh clone and stays fast.
await ensureConsoleBuilt(consoleLogger);
buildApp(new App());
