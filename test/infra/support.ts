import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type CrmStacks } from '../../infra/build-app.ts';

/**
 * Builds the CRM app without bundling (no esbuild run, no Docker), as `cdk synth` would
 * otherwise. Synthesis runs cdk-nag, so a build with an unacknowledged finding throws here.
 */
export function synthApp(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = buildApp(app);
  const templates = {
    data: Template.fromStack(stacks.data),
    schedule: Template.fromStack(stacks.schedule),
    api: Template.fromStack(stacks.api),
    reporting: Template.fromStack(stacks.reporting),
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
