import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { httpFunctionNames, httpFunctions } from '#shared/api/catalogue';
import { type RouteDef, routeKey } from '#shared/api/route';
import { PUBLIC_SUBMIT_THROTTLE } from '#shared/domain/forms';
import { defaults } from '../../infra/config.ts';
import { tableReadActions, tableWriteActions, userPoolAdminActions } from '../../infra/grants.ts';
import { actionsOf, allowStatements, logicalId, synthApp } from './support.ts';

const { stacks, templates } = synthApp();
const api = templates.api;
const cfn = (construct: { node: { defaultChild?: unknown } }) => construct.node.defaultChild as CfnResource;

const catalogue = httpFunctionNames.flatMap((name) =>
  (httpFunctions[name] as readonly RouteDef[]).map((route) => ({ name, route })),
);
const userPoolId = logicalId(cfn(stacks.api.userPool));
const clientId = logicalId(cfn(stacks.api.userPoolClient));
/** The console's https://<distribution domain>, imported from CrmConsole. */
const consoleOrigin = {
  'Fn::Join': ['', ['https://', { 'Fn::ImportValue': Match.stringLikeRegexp('^CrmConsole:') }]],
};

/** The function a route's integration invokes, as the logical id of the Lambda. */
function routeTarget(route: Record<string, unknown>): string {
  const target = (route.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
  const integration = api.findResources('AWS::ApiGatewayV2::Integration')[target];
  if (!integration) throw new Error(`route target ${target} is not an integration`);
  return (integration.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** Allow statements attached to the role of HTTP function `name`. */
function statementsOf(name: (typeof httpFunctionNames)[number]) {
  const role = stacks.api.functions[name].fn.role;
  if (!role) throw new Error(`function ${name} has no role`);
  const roleId = logicalId(cfn(role));
  return allowStatements(api)
    .filter(({ roles }) => roles.includes(roleId))
    .map(({ statement }) => statement);
}

describe('CrmApi: routes from the catalogue', () => {
  const routes = api.findResources('AWS::ApiGatewayV2::Route');
  const [authorizerId] = Object.keys(api.findResources('AWS::ApiGatewayV2::Authorizer'));

  it('has exactly one API Gateway route per catalogue route', () => {
    const deployed = Object.values(routes)
      .map((route) => route.Properties.RouteKey)
      .sort();
    expect(deployed).toEqual(catalogue.map(({ route }) => routeKey(route)).sort());
  });

  it.each(catalogue)('$route.method $route.path: authorizer and target function', ({ name, route }) => {
    const [deployed] = Object.values(routes).filter((r) => r.Properties.RouteKey === routeKey(route));
    expect(deployed).toBeDefined();
    if (route.public) {
      expect(deployed?.Properties.AuthorizationType).toBe('NONE');
      expect(deployed?.Properties.AuthorizerId).toBeUndefined();
    } else {
      expect(deployed?.Properties.AuthorizationType).toBe('JWT');
      expect(deployed?.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    }
    expect(routeTarget(deployed?.Properties)).toBe(logicalId(cfn(stacks.api.functions[name].fn)));
  });

  it('lets API Gateway invoke each function through one permission scoped to this API', () => {
    const permissions = Object.values(api.findResources('AWS::Lambda::Permission'));
    expect(permissions).toHaveLength(httpFunctionNames.length);
    const apiId = logicalId(cfn(stacks.api.api));
    for (const permission of permissions) {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(apiId);
    }
    const invoked = new Set(
      permissions.map((permission) => JSON.stringify(permission.Properties.FunctionName)),
    );
    expect(invoked.size).toBe(httpFunctionNames.length);
  });

  it("stays well inside CloudFormation's 500 resources per stack", () => {
    expect(Object.keys(api.toJSON().Resources).length).toBeLessThan(450);
  });

  it("checks Cognito ID tokens: issuer is the user pool, audience the app client and the console's", () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }, { Ref: logicalId(cfn(stacks.api.consoleClient)) }],
        Issuer: { 'Fn::Join': ['', Match.arrayWith([{ Ref: userPoolId }])] },
      },
    });
  });
});

describe('CrmApi: default stage', () => {
  it('throttles with the default burst and rate', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: defaults.throttleRateLimit,
        ThrottlingBurstLimit: defaults.throttleBurstLimit,
      },
    });
  });

  it('throttles the public form submit on its own, below the stage default, once the route exists', () => {
    const submit = routeKey({ method: 'POST', path: '/f/{formId}' });
    expect(PUBLIC_SUBMIT_THROTTLE.rateLimit).toBeLessThan(defaults.throttleRateLimit);
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      RouteSettings: {
        [submit]: {
          ThrottlingRateLimit: PUBLIC_SUBMIT_THROTTLE.rateLimit,
          ThrottlingBurstLimit: PUBLIC_SUBMIT_THROTTLE.burstLimit,
        },
      },
    });
    const [routeId] = Object.entries(api.findResources('AWS::ApiGatewayV2::Route'))
      .filter(([, route]) => route.Properties.RouteKey === submit)
      .map(([id]) => id);
    const [stage] = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stage?.DependsOn).toContain(routeId);
  });

  it('writes JSON access logs with the request id to a log group with retention', () => {
    const [stage] = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const logGroupId = (settings.DestinationArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(api.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays).toBe(
      defaults.logRetentionDays,
    );
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  it('takes throttling, retention and CORS origins from context (strings, as `-c` passes them)', () => {
    const { templates: custom } = synthApp({
      throttleRateLimit: '7',
      throttleBurstLimit: '9',
      logRetentionDays: '90',
      corsOrigins: 'https://crm.example.com, https://admin.example.com',
    });
    custom.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
    custom.api.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    custom.api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://crm.example.com', 'https://admin.example.com', consoleOrigin],
        AllowHeaders: Match.arrayWith(['authorization', 'if-match', 'idempotency-key']),
        ExposeHeaders: ['etag', 'location'],
      }),
    });
  });

  it("allows only the web console's origin unless more are configured", () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: [consoleOrigin] }),
    });
  });

  it('rejects context values that CloudWatch or CDK would not accept', () => {
    expect(() => synthApp({ logRetentionDays: '31' })).toThrow(/logRetentionDays/);
    expect(() => synthApp({ removalPolicy: 'snapshot' })).toThrow(/removalPolicy/);
    expect(() => synthApp({ throttleRateLimit: 'fast' })).toThrow(/throttleRateLimit/);
  });
});

describe('CrmApi: Cognito', () => {
  it('lets only admins create users, with custom tenantId (immutable) and teamId (mutable)', () => {
    api.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: false }),
        Match.objectLike({ Name: 'teamId', AttributeDataType: 'String', Mutable: true }),
      ]),
    });
  });

  it('has a strong password policy, optional TOTP MFA and the free Essentials plan by default', () => {
    api.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'ESSENTIALS',
      DeletionProtection: 'ACTIVE',
    });
  });

  it('enforces threat protection on the Plus plan when asked to', () => {
    const plus = synthApp({ cognitoPlan: 'plus' }).templates.api;
    plus.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('has the groups admin, manager and rep', () => {
    for (const group of ['admin', 'manager', 'rep']) {
      api.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: group,
        UserPoolId: { Ref: userPoolId },
      });
    }
  });

  it('has a public client (SRP + refresh, no secret, no OAuth) that cannot write custom attributes', () => {
    api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
    });
    const client = api.findResources('AWS::Cognito::UserPoolClient')[clientId];
    const writable = client?.Properties.WriteAttributes as string[];
    expect(writable.filter((attribute) => attribute.startsWith('custom:'))).toEqual([]);
    expect(writable).not.toContain('email');
  });

  it('exports the API URL, user pool id and client id', () => {
    api.hasOutput('ApiUrl', {});
    api.hasOutput('UserPoolId', { Value: { Ref: userPoolId } });
    api.hasOutput('UserPoolClientId', { Value: { Ref: clientId } });
  });
});

describe('CrmApi: least privilege per function', () => {
  const tableActions = [...tableReadActions, ...tableWriteActions] as string[];
  const dynamoActions = (name: (typeof httpFunctionNames)[number]) =>
    statementsOf(name)
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('dynamodb:'));

  it('gives meta (health, OpenAPI, docs) no table, secret or Cognito access, nor their env', () => {
    const actions = statementsOf('meta').flatMap(actionsOf);
    expect(actions.filter((action) => !action.startsWith('logs:') && !action.startsWith('xray:'))).toEqual(
      [],
    );
    api.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'CRM HTTP API: meta',
      Environment: Match.absent(),
    });
  });

  it('gives reports read-only table access', () => {
    expect(new Set(dynamoActions('reports'))).toEqual(new Set(tableReadActions));
  });

  it.each(httpFunctionNames.filter((name) => name !== 'meta' && name !== 'reports'))(
    '%s reads and writes the table with the explicit action list only',
    (name) => {
      expect(new Set(dynamoActions(name))).toEqual(new Set(tableActions));
    },
  );

  // The exports function verifies shared list links (`/l/{token}`) with the signing secret.
  it.each(httpFunctionNames.filter((name) => name !== 'meta'))(
    '%s gets TABLE_NAME, USER_DIRECTORY=cognito and the signing secret',
    (name) => {
      api.hasResourceProperties('AWS::Lambda::Function', {
        Description: `CRM HTTP API: ${name}`,
        Environment: {
          Variables: Match.objectLike({
            TABLE_NAME: Match.anyValue(),
            USER_DIRECTORY: 'cognito',
            SIGNING_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('SigningSecret') },
          }),
        },
      });
      const secretActions = statementsOf(name)
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('secretsmanager:'));
      expect(secretActions.sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
    },
  );

  it('gives PUBLIC_API_URL to the functions that sign links only when the context sets it', () => {
    const variables = (template: typeof api) =>
      Object.values(template.findResources('AWS::Lambda::Function')).map(
        (fn) => (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
      );
    expect(variables(api).filter((env) => 'PUBLIC_API_URL' in env)).toEqual([]);
    const custom = synthApp({ publicApiUrl: 'https://api.example.com/crm/' }).templates.api;
    for (const env of variables(custom)) {
      expect(env.PUBLIC_API_URL).toBe(env.SIGNING_SECRET_ARN ? 'https://api.example.com/crm' : undefined);
    }
  });

  it('gives no HTTP function SES or queue access but forms: email leaves through schedules, the sender and double opt-in', () => {
    for (const name of httpFunctionNames) {
      const actions = statementsOf(name)
        .flatMap(actionsOf)
        .filter((action) => /^(ses|sqs):/.test(action));
      // The admin function only queues a large tenant's report rebuild, the exports function a large
      // export, the sequences function a large segment's enrollment.
      if (name === 'admin' || name === 'exports' || name === 'sequences')
        expect(actions.every((action) => /^sqs:(SendMessage|GetQueue)/.test(action))).toBe(true);
      // The public form submit sends the double opt-in confirmation as the transactional sender.
      else if (name === 'forms')
        expect(actions.length > 0 && actions.every((action) => /^ses:Send/.test(action))).toBe(true);
      else expect(actions).toEqual([]);
    }
  });

  it('lets only the users function manage Cognito users, on this user pool only', () => {
    for (const name of httpFunctionNames) {
      const cognito = statementsOf(name).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('cognito-idp:')),
      );
      if (name !== 'users') {
        expect(cognito).toEqual([]);
        continue;
      }
      expect(cognito).toEqual([
        {
          Effect: 'Allow',
          Action: [...userPoolAdminActions],
          Resource: { 'Fn::GetAtt': [userPoolId, 'Arn'] },
        },
      ]);
    }
    api.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'CRM HTTP API: users',
      Environment: { Variables: Match.objectLike({ USER_POOL_ID: { Ref: userPoolId } }) },
    });
  });
});
