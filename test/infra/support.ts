import { fileURLToPath } from 'node:url';
import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { buildApp, type CrmStacks } from '../../infra/build-app.ts';

/**
 * Builds the CRM app without bundling (no esbuild run, no Docker), as `cdk synth` would
 * otherwise. Synthesis runs cdk-nag, so a build with an unacknowledged finding throws here.
 */
/** A stand-in for console/dist, so infra tests need no console build. */
export const consoleDistFixture = fileURLToPath(new URL('../fixtures/console-dist', import.meta.url));

export function synthApp(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = buildApp(app, { consoleDist: consoleDistFixture });
  const templates = {
    data: Template.fromStack(stacks.data),
    messaging: Template.fromStack(stacks.messaging),
    schedule: Template.fromStack(stacks.schedule),
    api: Template.fromStack(stacks.api),
    reporting: Template.fromStack(stacks.reporting),
    files: Template.fromStack(stacks.files),
    console: Template.fromStack(stacks.console),
    consoleConfig: Template.fromStack(stacks.consoleConfig),
  };
  return { app, stacks, templates };
}

export type Synthesized = ReturnType<typeof synthApp>;
export type { CrmStacks };

export const logicalId = (resource: CfnResource): string => Stack.of(resource).getLogicalId(resource);

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

interface PolicyResource {
  Properties: { PolicyDocument: { Statement: Statement[] }; Roles?: { Ref: string }[] };
}

/** Allow statements of every identity policy in a template, with the roles they are attached to. */
export function allowStatements(template: Template): { roles: string[]; statement: Statement }[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as PolicyResource[];
  const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as PolicyResource[];
  const inline = Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([id, role]) =>
    ((role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).map((policy) => ({
      Properties: { PolicyDocument: policy.PolicyDocument, Roles: [{ Ref: id }] },
    })),
  );
  return [...policies, ...managed, ...inline].flatMap((policy) =>
    policy.Properties.PolicyDocument.Statement.filter((statement) => statement.Effect === 'Allow').map(
      (statement) => ({ roles: (policy.Properties.Roles ?? []).map((role) => role.Ref), statement }),
    ),
  );
}

/** Allow statements attached to one role (by logical id) in a template. */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  return allowStatements(template)
    .filter(({ roles }) => roles.includes(roleId))
    .map(({ statement }) => statement);
}

/** Logical id of the role of a function construct. */
export function roleIdOf(fn: { role?: { node: { defaultChild?: unknown } } }): string {
  if (!fn.role) throw new Error('function has no role');
  return logicalId(fn.role.node.defaultChild as CfnResource);
}

/** Statements beyond the function's own logs, X-Ray and the table (those are asserted on their own). */
export const beyondLogsTracingAndTable = (statements: Statement[]): Statement[] =>
  statements.filter(
    (statement) => !actionsOf(statement).every((action) => /^(logs|xray|dynamodb):/.test(action)),
  );

/** Exactly these statements, in any order (expected ones may use asymmetric matchers). */
export function expectSameStatements(actual: Statement[], expected: Statement[]): void {
  expect(actual).toHaveLength(expected.length);
  expect(actual).toEqual(expect.arrayContaining(expected));
}

/** `arn:<partition>:<service>:<region>:<account>:<rest>` as CDK's formatArn renders it in a template. */
export const pseudoArn = (service: string, rest: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${rest}`,
    ],
  ],
});
