import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { env } from '#shared/env';
import { readConfig } from '../../infra/config.ts';
import { CrmFunction } from '../../infra/constructs/crm-function.ts';
import { tableReadActions, tableWriteActions } from '../../infra/grants.ts';
import { lambda } from '../../infra/lambdas.ts';
import { actionsOf, allowStatements } from './support.ts';

/** A stack with a table and a queue, without bundling (no esbuild run). */
function testStack() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  const queue = new Queue(stack, 'Queue');
  return { stack, table, queue, config: readConfig(app.node) };
}

const variablesOf = (template: Template): Record<string, unknown> => {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  return fn?.Properties.Environment.Variables ?? {};
};

describe('CrmFunction: each env var comes with its grant', () => {
  it('useTable sets TABLE_NAME and grants exactly the access asked for', () => {
    const { stack, table, config } = testStack();
    new CrmFunction(stack, 'fn', {
      entry: lambda('meta').entry,
      description: 'test',
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    }).useTable(table, 'read');
    const template = Template.fromStack(stack);
    expect(variablesOf(template)[env.tableName]).toEqual({ Ref: expect.stringMatching(/^Table/) });
    const actions = allowStatements(template).flatMap(({ statement }) => actionsOf(statement));
    expect(actions).toEqual(expect.arrayContaining([...tableReadActions]));
    expect(actions.filter((action) => (tableWriteActions as readonly string[]).includes(action))).toEqual([]);
  });

  it('useQueue(send) sets QUEUE=sqs and the queue URL and allows sending to that queue only', () => {
    const { stack, table, queue, config } = testStack();
    CrmFunction.fromCatalogue(stack, lambda('reportRebuild'), {
      table,
      config,
      queues: { reportRebuild: queue },
    });
    const template = Template.fromStack(stack);
    expect(variablesOf(template)).toMatchObject({
      [env.queue.queue]: 'sqs',
      [env.queue.url('reportRebuild')]: { Ref: expect.stringMatching(/^Queue/) },
    });
    const sends = allowStatements(template)
      .map(({ statement }) => statement)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
    expect(sends).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Queue/), 'Arn'] } }),
    ]);
  });

  it('refuses a catalogue function whose stack does not offer what it uses', () => {
    const { stack, table, config } = testStack();
    expect(() => CrmFunction.fromCatalogue(stack, lambda('contacts'), { table, config })).toThrow(
      'contacts uses the signing key, which its stack does not offer',
    );
    expect(() => CrmFunction.fromCatalogue(stack, lambda('campaignStart'), { table, config })).toThrow(
      'campaignStart uses the campaignSend queue, which its stack does not offer',
    );
  });
});
