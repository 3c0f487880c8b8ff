import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
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
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  type HttpFunctionName,
  httpFunctionEntry,
  httpFunctionNames,
  httpFunctions,
} from '#shared/api/catalogue';
import { type RouteDef, routeKey } from '#shared/api/route';
import { roles } from '#shared/domain/access';
import type { CrmConfig } from '../config.ts';
import { CrmFunction } from '../constructs/crm-function.ts';
import { grantScheduling, grantTable, scheduleGroupAcknowledgement, type TableAccess } from '../grants.ts';
import { type ScheduleWiring, schedulingEnvironment } from './schedule-stack.ts';

export interface ApiStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
  /** The schedule group, scheduler role, DLQ and targets (from the schedule stack). */
  readonly schedules: ScheduleWiring;
  /** Signs cursors and public links (from the data stack). */
  readonly signingSecret: ISecret;
}

/**
 * HTTP functions that create, move and cancel one-time schedules: activities (reminders),
 * cases (SLA checks), campaigns (starts) and sequences (steps). Only these may touch the schedule group and pass the scheduler's role.
 */
export const schedulingFunctions: ReadonlySet<HttpFunctionName> = new Set<HttpFunctionName>([
  'activities',
  'cases',
  'campaigns',
  'sequences',
]);

/** What an HTTP function may touch beyond its own logs. */
interface FunctionAccess {
  readonly table?: TableAccess;
  /** Reads the secret that signs cursors and public links. */
  readonly signing?: boolean;
  /** Manages Cognito users and their groups. */
  readonly userPool?: boolean;
}

/** Every function not listed here reads and writes the table and signs cursors. */
const defaultAccess: FunctionAccess = { table: 'readWrite', signing: true };
const functionAccess: Partial<Record<HttpFunctionName, FunctionAccess>> = {
  meta: {}, // health, OpenAPI and docs: no data at all
  reports: { table: 'read', signing: true },
  users: { table: 'readWrite', signing: true, userPool: true },
};

/**
 * What the users function does in Cognito when an admin creates or changes a user
 * (shared/identity/cognito-directory.ts). AdminDeleteUser only undoes a Cognito user whose
 * table record could not be written (duplicate email, missing team).
 */
export const userPoolAdminActions = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminUpdateUserAttributes',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
] as const;

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
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Record<HttpFunctionName, CrmFunction>;
  private readonly publicRoutes: { route: HttpRoute; key: string }[] = [];
  private readonly signingSecret: ISecret;

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

    this.signingSecret = props.signingSecret;

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: config.stage ? `crm-${config.stage}` : 'crm',
      description: 'Serverless CRM HTTP API',
      createDefaultStage: false, // created below with throttling and access logs
      corsPreflight: corsOptions(config.corsOrigins),
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
      userPoolClients: [this.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });
    const noAuthorizer = new HttpNoneAuthorizer();

    const functions: Partial<Record<HttpFunctionName, CrmFunction>> = {};
    for (const name of httpFunctionNames) {
      const fn = this.httpFunction(name, table, config, props.schedules);
      functions[name] = fn;
      const integration = new HttpLambdaIntegration(`${name}-integration`, fn.fn);
      const routes: readonly RouteDef[] = httpFunctions[name];
      for (const route of routes) {
        const httpRoute = new HttpRoute(this, `Route-${route.operationId}`, {
          httpApi: this.api,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
          integration,
          authorizer: route.public ? noAuthorizer : authorizer,
        });
        if (route.public) this.publicRoutes.push({ route: httpRoute, key: routeKey(route) });
      }
    }
    this.functions = functions as Record<HttpFunctionName, CrmFunction>;

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });

    this.acknowledgeFindings(config);
  }

  private httpFunction(
    name: HttpFunctionName,
    table: ITableV2,
    config: CrmConfig,
    schedules: ScheduleWiring,
  ): CrmFunction {
    const access = functionAccess[name] ?? defaultAccess;
    const scheduling = schedulingFunctions.has(name);
    const environment: Record<string, string> = scheduling ? schedulingEnvironment(schedules) : {};
    if (access.table) {
      environment.TABLE_NAME = table.tableName;
      environment.USER_DIRECTORY = 'cognito';
    }
    if (access.signing) environment.SIGNING_SECRET_ARN = this.signingSecret.secretArn;
    if (access.signing && config.publicApiUrl) environment.PUBLIC_API_URL = config.publicApiUrl;
    if (access.userPool) environment.USER_POOL_ID = this.userPool.userPoolId;

    const fn = new CrmFunction(this, `${name}-function`, {
      entry: httpFunctionEntry(name),
      description: `CRM HTTP API: ${name}`,
      environment,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    if (access.table) grantTable(fn.fn, table, access.table);
    if (access.signing) this.signingSecret.grantRead(fn.fn);
    if (access.userPool) {
      fn.fn.addToRolePolicy(
        new PolicyStatement({ actions: [...userPoolAdminActions], resources: [this.userPool.userPoolArn] }),
      );
    }
    if (scheduling) {
      grantScheduling(fn.fn, schedules);
      if (fn.fn.role) {
        Validations.of(fn.fn.role).acknowledge(
          scheduleGroupAcknowledgement(
            schedules.groupName,
            name,
            'reminder-<activityId>, sla-<caseId>, campaign-<id>, sequence steps',
          ),
        );
      }
    }
    return fn;
  }

  /** Every cdk-nag acknowledgement of this stack, each scoped to the resource it is about. */
  private acknowledgeFindings(config: CrmConfig): void {
    for (const { route, key } of this.publicRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${key} is public by design (SPEC: health, OpenAPI, docs and signed public links carry no token).`,
      });
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
