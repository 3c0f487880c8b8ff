import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * Deployment settings read from CDK context (`cdk.json` "context", or `-c key=value` on the
 * command line, where every value arrives as a string). The list with defaults is at the top of app.ts.
 */
export interface CrmConfig {
  /** Suffix of the stack names, so several copies can live in one account; undefined for none. */
  readonly stage: string | undefined;
  /** Origins allowed by CORS besides the web console's (which the API stack always adds). */
  readonly corsOrigins: string[];
  readonly logRetention: RetentionDays;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** What happens to log groups, the user pool, the secret and queues when a stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Cognito feature plan. `essentials` has a free tier (10,000 monthly active users);
   * `plus` adds enforced threat protection at a price per active user.
   */
  readonly cognitoPlan: 'essentials' | 'plus';
  /**
   * Sender of reminder email (a verified SES identity: the address or its domain). When set,
   * the reminder function gets MAIL_FROM and may send only as that address or domain;
   * undefined: no MAIL_FROM, and SES sending is allowed for any identity of the account.
   */
  readonly mailFrom: string | undefined;
  /**
   * Campaign and sequence emails per second across all senders. Undefined: SES's own
   * MaxSendRate (GetAccount), read by the senders at run time.
   */
  readonly sendRatePerSecond: number | undefined;
  /**
   * The API's public base URL for links in emails (tracking, unsubscribe), e.g. a custom
   * domain. Undefined: the API Gateway URL of the request that scheduled the campaign.
   */
  readonly publicApiUrl: string | undefined;
  /**
   * The Bedrock model that suggests segment filters (`-c nlModel=<id>`): a foundation model id
   * (`anthropic.claude-3-haiku-20240307-v1:0`) or a cross-region inference profile id
   * (`eu.anthropic...`). Undefined: no suggestions, no Bedrock permission.
   */
  readonly nlModel: string | undefined;
  /**
   * Prefix of the Cognito hosted UI's domain (`<prefix>.auth.<region>.amazoncognito.com`), unique
   * in the region. Undefined: `crm-<account id>` (or `crm-<stage>-<account id>`), stable per account.
   */
  readonly cognitoDomainPrefix: string | undefined;
  /**
   * The domain of the tenants' logging addresses (`log-<token>@<domain>`), received by SES
   * (`-c inboundEmailDomain=inbound.example.com`). When set, the CrmInbound stack adds the
   * receipt rule set, the raw-mail bucket and the function that logs the mail; undefined: no
   * inbound email and no receiving resources.
   */
  readonly inboundEmailDomain: string | undefined;
  /**
   * X-Ray active tracing of every function (`-c tracing=active`). Without X-Ray SDK instrumentation
   * (the code has none) a trace holds only Lambda's own segments: the invocation's time in the Lambda
   * service, initialization and the handler, which CloudWatch's Lambda metrics and the JSON logs also
   * give. Recorded traces cost $5 per million beyond 100,000 a month. `disabled` (the default): no
   * tracing and no X-Ray permission.
   */
  readonly tracing: 'active' | 'disabled';
}

export const defaults = {
  logRetentionDays: 30,
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  removalPolicy: 'retain',
  cognitoPlan: 'essentials',
  tracing: 'disabled',
} as const;

export function readConfig(node: Node): CrmConfig {
  const stage = optionalString(node, 'stage');
  if (stage !== undefined && !/^[A-Za-z0-9-]{1,24}$/.test(stage)) {
    throw new Error(`context stage must be 1-24 letters, digits or dashes, got "${stage}"`);
  }

  const logRetentionDays = number(node, 'logRetentionDays', defaults.logRetentionDays);
  if (!(Object.values(RetentionDays) as unknown[]).includes(logRetentionDays)) {
    throw new Error(`context logRetentionDays=${logRetentionDays} is not a CloudWatch Logs retention period`);
  }

  const removal = optionalString(node, 'removalPolicy') ?? defaults.removalPolicy;
  if (removal !== 'retain' && removal !== 'destroy') {
    throw new Error(`context removalPolicy must be "retain" or "destroy", got "${removal}"`);
  }

  const cognitoPlan = optionalString(node, 'cognitoPlan') ?? defaults.cognitoPlan;
  if (cognitoPlan !== 'essentials' && cognitoPlan !== 'plus') {
    throw new Error(`context cognitoPlan must be "essentials" or "plus", got "${cognitoPlan}"`);
  }

  const mailFrom = optionalString(node, 'mailFrom');
  if (mailFrom !== undefined && !/^[^\s@<>"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(mailFrom)) {
    throw new Error(`context mailFrom must be a plain email address, got "${mailFrom}"`);
  }

  const sendRate = optionalString(node, 'sendRatePerSecond');
  const sendRatePerSecond = sendRate === undefined ? undefined : number(node, 'sendRatePerSecond', 1);

  const publicApiUrl = optionalString(node, 'publicApiUrl');
  if (publicApiUrl !== undefined && !/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s?#]*)?$/.test(publicApiUrl)) {
    throw new Error(`context publicApiUrl must be an https URL without query, got "${publicApiUrl}"`);
  }

  const nlModel = optionalString(node, 'nlModel');
  if (nlModel !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/.test(nlModel)) {
    throw new Error(`context nlModel must be a Bedrock model or inference profile id, got "${nlModel}"`);
  }

  const cognitoDomainPrefix = optionalString(node, 'cognitoDomainPrefix');
  if (
    cognitoDomainPrefix !== undefined &&
    (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(cognitoDomainPrefix) ||
      /aws|amazon|cognito/.test(cognitoDomainPrefix))
  ) {
    throw new Error(
      `context cognitoDomainPrefix must be lowercase letters, digits and inner dashes without aws, amazon or cognito, got "${cognitoDomainPrefix}"`,
    );
  }

  const inboundEmailDomain = optionalString(node, 'inboundEmailDomain')?.toLowerCase();
  if (
    inboundEmailDomain !== undefined &&
    !/^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/.test(inboundEmailDomain)
  ) {
    throw new Error(`context inboundEmailDomain must be a domain name, got "${inboundEmailDomain}"`);
  }

  const tracing = optionalString(node, 'tracing') ?? defaults.tracing;
  if (tracing !== 'active' && tracing !== 'disabled') {
    throw new Error(`context tracing must be "active" or "disabled", got "${tracing}"`);
  }

  return {
    stage,
    tracing,
    inboundEmailDomain,
    cognitoDomainPrefix,
    cognitoPlan,
    nlModel,
    mailFrom,
    sendRatePerSecond,
    publicApiUrl: publicApiUrl?.replace(/\/+$/, ''),
    corsOrigins: stringList(node, 'corsOrigins'),
    logRetention: logRetentionDays as RetentionDays,
    throttle: {
      rateLimit: number(node, 'throttleRateLimit', defaults.throttleRateLimit),
      burstLimit: number(node, 'throttleBurstLimit', defaults.throttleBurstLimit),
    },
    removalPolicy: removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  };
}

function optionalString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function number(node: Node, key: string, fallback: number): number {
  const raw = optionalString(node, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`context ${key} must be a positive number, got "${raw}"`);
  return value;
}

/** A JSON array in cdk.json, or a comma-separated string from `-c`. */
function stringList(node: Node, key: string): string[] {
  const value: unknown = node.tryGetContext(key);
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}
