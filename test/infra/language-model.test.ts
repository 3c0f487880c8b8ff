import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { httpFunctionNames } from '#shared/api/catalogue';
import { profileModel } from '../../infra/constructs/language-model.ts';
import { actionsOf, allowStatements, logicalId, type Synthesized, synthApp } from './support.ts';

/**
 * `-c nlModel=<id>`: the segments function gets NL_MODEL_ID and bedrock:InvokeModel on that
 * model only (and, for an inference profile, on the profile and its model through it);
 * without the context no function has either.
 */

const cfn = (construct: { node: { defaultChild?: unknown } }) => construct.node.defaultChild as CfnResource;

function statementsOf({ stacks, templates }: Synthesized, name: (typeof httpFunctionNames)[number]) {
  const role = stacks.api.functions[name].fn.role;
  if (!role) throw new Error(`function ${name} has no role`);
  const roleId = logicalId(cfn(role));
  return allowStatements(templates.api)
    .filter(({ roles }) => roles.includes(roleId))
    .map(({ statement }) => statement);
}

const environmentOf = ({ stacks, templates }: Synthesized, name: (typeof httpFunctionNames)[number]) => {
  const id = logicalId(cfn(stacks.api.functions[name].fn));
  const fn = templates.api.findResources('AWS::Lambda::Function')[id];
  return (fn?.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
};

const bedrockStatements = (app: Synthesized) =>
  Object.values(app.templates)
    .flatMap((template) => allowStatements(template))
    .filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('bedrock:')));

const partitionArn = (rest: (string | { Ref: string })[]) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...rest]],
});

describe('the segment suggestion model (-c nlModel)', () => {
  it('grants nothing and sets no NL_MODEL_ID without the context', () => {
    const app = synthApp();
    expect(bedrockStatements(app)).toEqual([]);
    for (const name of httpFunctionNames) expect(environmentOf(app, name)).not.toHaveProperty('NL_MODEL_ID');
  });

  it('lets only the segments function invoke exactly the foundation model named', () => {
    const model = 'anthropic.claude-3-haiku-20240307-v1:0';
    const app = synthApp({ nlModel: model });
    expect(environmentOf(app, 'segments').NL_MODEL_ID).toBe(model);
    for (const name of httpFunctionNames.filter((name) => name !== 'segments')) {
      expect(environmentOf(app, name)).not.toHaveProperty('NL_MODEL_ID');
      expect(
        statementsOf(app, name)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('bedrock:')),
      ).toEqual([]);
    }
    const bedrock = statementsOf(app, 'segments').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('bedrock:')),
    );
    expect(bedrock).toEqual([
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: partitionArn([':bedrock:', { Ref: 'AWS::Region' }, `::foundation-model/${model}`]),
      },
    ]);
    expect(bedrockStatements(app)).toHaveLength(1);
  });

  it('for an inference profile, grants the profile and its model only through that profile', () => {
    const profile = 'eu.anthropic.claude-3-haiku-20240307-v1:0';
    const app = synthApp({ nlModel: profile });
    expect(environmentOf(app, 'segments').NL_MODEL_ID).toBe(profile);
    const profileArn = partitionArn([
      ':bedrock:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:inference-profile/${profile}`,
    ]);
    const bedrock = statementsOf(app, 'segments').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('bedrock:')),
    );
    expect(bedrock).toHaveLength(2);
    expect(bedrock).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: profileArn },
        {
          Effect: 'Allow',
          Action: 'bedrock:InvokeModel',
          Resource: partitionArn([':bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0']),
          Condition: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
        },
      ]),
    );
  });

  it('tells a profile id from a model id, and rejects what is neither', () => {
    expect(profileModel('us.amazon.nova-lite-v1:0')).toBe('amazon.nova-lite-v1:0');
    expect(profileModel('amazon.nova-lite-v1:0')).toBeUndefined();
    expect(profileModel('anthropic.claude-3-haiku-20240307-v1:0')).toBeUndefined();
    expect(() => synthApp({ nlModel: 'arn:aws:bedrock:* "' })).toThrow(/nlModel/);
  });
});
