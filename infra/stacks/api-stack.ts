import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { HttpFunctionName } from '#shared/api/catalogue';
import { routeKey } from '#shared/api/route';
import { roles } from '#shared/domain/access';
import type { CrmConfig } from '../config.ts';
import { CrmFunction } from '../constructs/crm-function.ts';
import { fileBucketName } from '../constructs/files.ts';
import { mailIdentityArns, type ScheduleWiring, unscopedMailAcknowledgement } from '../grants.ts';
import { lambdasOf } from '../lambdas.ts';
import { CONSOLE_PREFIX, hostedUiPrefix } from './console-stack.ts';

export interface ApiStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
  /** The schedule group, scheduler role, DLQ and targets (from the schedule stack). */
  readonly schedules: ScheduleWiring;
  /** Signs cursors and public links (from the data stack). */
  readonly signingSecret: ISecret;
  /** Where a large tenant's report rebuild is queued (from the messaging stack). */
  readonly reportRebuildQueue: IQueue;
  /** Where large exports are queued (from the files stack; their bucket is granted by name). */
  readonly exportJobsQueue: IQueue;
  /** Where a large segment's enrollment into a sequence is queued (from the schedule stack). */
  readonly sequenceEnrollQueue: IQueue;
  /** The web console's origin (CrmConsole): CORS, and its app client's callback and sign-out URLs. */
  readonly consoleOrigin: string;
}

/**
 * HTTP functions that create, move and cancel one-time schedules: activities (reminders),
 * cases (SLA checks), campaigns (starts) and sequences (steps), as the catalogue says.
 * Only these may touch the schedule group and pass the scheduler's role.
 */
export const schedulingFunctions: ReadonlySet<HttpFunctionName> = new Set(
  lambdasOf('http')
    .filter((spec) => spec.uses.scheduler)
    .map((spec) => spec.name as HttpFunctionName),
);

/** JSON access log line; HTTP API `$context` variables only (REST-only ones fail the deployment). */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    sub: '$context.authorizer.claims.sub',
  }),
);

/**
 * Cognito user pool, the HTTP API with one Lambda per entry of the route catalogue, and the
 * signing secret. Routes come only from the catalogue, so CDK, the local router and OpenAPI agree.
 */
export class ApiStack extends Stack {
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** The web console's public client: hosted UI, authorization code grant with PKCE. */
  readonly consoleClient: UserPoolClient;
  /** The hosted UI's domain (<prefix>.auth.<region>.amazoncognito.com). */
  readonly hostedUi: UserPoolDomain;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Record<HttpFunctionName, CrmFunction>;
  private readonly publicRoutes: { route: HttpRoute; key: string }[] = [];

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, table } = props;
    const retained = config.removalPolicy === RemovalPolicy.RETAIN;

    this.userPool = new UserPool(this, 'UserPool', {
      // Admins create users through POST /users; nobody signs themselves up into a tenant.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      customAttributes: {
        // A user never changes tenant; the team may change (PATCH /users/{id}).
        tenantId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
        teamId: new StringAttribute({ minLen: 0, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, risky sign-ins) needs the Plus plan, which
      // is billed per active user; Essentials keeps a small team's identity bill at zero.
      ...(config.cognitoPlan === 'plus'
        ? {
            featurePlan: FeaturePlan.PLUS,
            standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
          }
        : { featurePlan: FeaturePlan.ESSENTIALS }),
      deletionProtection: retained,
      removalPolicy: config.removalPolicy,
    });
    roles.forEach((role, precedence) => {
      this.userPool.addGroup(`Group-${role}`, { groupName: role, precedence });
    });

    this.userPoolClient = this.userPool.addClient('Client', {
      generateSecret: false,
      authFlows: { userSrp: true }, // refresh-token auth is always on
      disableOAuth: true, // no hosted UI: clients sign in with SRP and send the ID token
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // Users may edit their name only: custom:tenantId/teamId and email are set by admins
      // through the API, otherwise a user could move themselves into another team.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.hostedUi = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: hostedUiPrefix(config) },
    });
    // Public (no secret): the browser keeps nothing secret, and Cognito requires the PKCE
    // code_challenge the console sends. Code grant only: no implicit tokens in URLs.
    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: { userSrp: false }, // hosted UI only; refresh-token auth stays on
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE], // CONSOLE_SCOPES
        callbackUrls: [`${props.consoleOrigin}/${CONSOLE_PREFIX}/callback`],
        logoutUrls: [`${props.consoleOrigin}/${CONSOLE_PREFIX}/`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: config.stage ? `crm-${config.stage}` : 'crm',
      description: 'Serverless CRM HTTP API',
      createDefaultStage: false, // created below with throttling and access logs
      corsPreflight: corsOptions([...config.corsOrigins, props.consoleOrigin]),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });

    // Clients send the ID token (it carries custom:tenantId/teamId), so the audience is the client id.
    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      authorizerName: 'cognito',
      userPoolClients: [this.userPoolClient, this.consoleClient],
      identitySource: ['$request.header.Authorization'],
    });
    const noAuthorizer = new HttpNoneAuthorizer();

    const functions: Partial<Record<HttpFunctionName, CrmFunction>> = {};
    const throttled: { route: HttpRoute; key: string; rateLimit: number; burstLimit: number }[] = [];
    for (const spec of lambdasOf('http')) {
      const fn = CrmFunction.fromCatalogue(this, spec, {
        table,
        config,
        schedules: props.schedules,
        signingSecret: props.signingSecret,
        userPool: this.userPool,
        queues: {
          reportRebuild: props.reportRebuildQueue,
          exportJobs: props.exportJobsQueue,
          sequenceEnroll: props.sequenceEnrollQueue,
        },
        // The forms function emails double opt-in confirmations as the transactional sender.
        mailIdentityArns: mailIdentityArns(this, config),
        // By name (files-stack.ts creates them): presigned uploads and downloads need no reference.
        buckets: {
          imports: fileBucketName('imports', config.stage),
          exports: fileBucketName('exports', config.stage),
        },
      });
      functions[spec.name as HttpFunctionName] = fn;
      // One invoke permission per function for this API, not one per route: CloudFormation
      // counts every resource against the stack's 500, and a route only reaches its own function.
      const integration = new HttpLambdaIntegration(`${spec.name}-integration`, fn.fn, {
        scopePermissionToRoute: false,
      });
      for (const route of spec.trigger.routes) {
        const httpRoute = new HttpRoute(this, `Route-${route.operationId}`, {
          httpApi: this.api,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
          integration,
          authorizer: route.public ? noAuthorizer : authorizer,
        });
        if (route.public) this.publicRoutes.push({ route: httpRoute, key: routeKey(route) });
        if (route.throttle) throttled.push({ route: httpRoute, key: routeKey(route), ...route.throttle });
      }
    }
    this.throttleRoutes(throttled);
    this.functions = functions as Record<HttpFunctionName, CrmFunction>;

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'ConsoleClientId', { value: this.consoleClient.userPoolClientId });
    new CfnOutput(this, 'HostedUiUrl', { value: this.hostedUi.baseUrl() });

    this.acknowledgeFindings(config);
  }

  /**
   * The stage's route settings of the routes that declare `throttle` (RouteDef): their own rate
   * and burst instead of the stage default. The stage waits for those routes, since CloudFormation
   * refuses settings for a route key the API does not have yet.
   */
  private throttleRoutes(
    throttled: readonly { route: HttpRoute; key: string; rateLimit: number; burstLimit: number }[],
  ): void {
    if (throttled.length === 0) return;
    const stage = this.stage.node.defaultChild as CfnStage;
    stage.routeSettings = Object.fromEntries(
      throttled.map(({ key, rateLimit, burstLimit }) => [
        key,
        { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit },
      ]),
    );
    for (const { route } of throttled) this.stage.node.addDependency(route);
  }

  /** Every cdk-nag acknowledgement of this stack, each scoped to the resource it is about. */
  private acknowledgeFindings(config: CrmConfig): void {
    for (const { route, key } of this.publicRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${key} is public by design (SPEC: health, OpenAPI, docs and signed public links carry no token).`,
      });
    }
    if (!config.mailFrom) {
      for (const spec of lambdasOf('http').filter((candidate) => candidate.uses.mail === 'transactional')) {
        const role = this.functions[spec.name as HttpFunctionName].fn.role;
        if (!role) continue;
        // Why SES sending is on "*" (beside X-Ray's, which CrmFunction acknowledges when tracing is active).
        Validations.of(role).acknowledge(unscopedMailAcknowledgement);
      }
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP) so that admin-created users can sign in before enrolling a device; ' +
        'teams can make MFA required in the pool settings.',
    });
    if (config.cognitoPlan === 'essentials') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Cognito Plus plan, billed per monthly active user; the default ' +
          'Essentials plan keeps identity free for small teams. Deploy with -c cognitoPlan=plus to enforce it.',
      });
    }
  }
}

function corsOptions(origins: string[]): CorsPreflightOptions | undefined {
  if (origins.length === 0) return undefined;
  return {
    allowOrigins: origins,
    allowMethods: [
      CorsHttpMethod.GET,
      CorsHttpMethod.POST,
      CorsHttpMethod.PUT,
      CorsHttpMethod.PATCH,
      CorsHttpMethod.DELETE,
    ],
    allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
    exposeHeaders: ['etag', 'location'],
    maxAge: Duration.hours(1),
  };
}
