import type { CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { INBOUND_MAIL_DAYS, RECEIPT_RULE_NAME } from '../../infra/stacks/inbound-stack.ts';
import {
  beyondLogsTracingAndTable,
  expectSameStatements,
  logicalId,
  roleIdOf,
  statementsOfRole,
  synthApp,
} from './support.ts';

const DOMAIN = 'inbound.example.com';
const { stacks } = synthApp({ inboundEmailDomain: DOMAIN });
const inbound = stacks.inbound;
if (!inbound) throw new Error('no CrmInbound stack with a domain configured');
const template = Template.fromStack(inbound);
const id = (construct: { node: { defaultChild?: unknown } }) =>
  logicalId(construct.node.defaultChild as CfnResource);

const ruleArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:receipt-rule-set/crm-inbound:receipt-rule/${RECEIPT_RULE_NAME}`,
    ],
  ],
};

describe('CrmInbound: SES receiving for the inbound domain', () => {
  it('exists only when a domain is configured', () => {
    const { stacks: without } = synthApp();
    expect(without.inbound).toBeUndefined();
    const api = Template.fromStack(without.api);
    const activities = without.api.functions.activities.fn.node.defaultChild as CfnResource;
    const env =
      api.findResources('AWS::Lambda::Function')[logicalId(activities)]?.Properties.Environment.Variables;
    expect(env).not.toHaveProperty('INBOUND_EMAIL_DOMAIN');
  });

  it('receives the domain with scanning, storing each message under inbound/ and then invoking the function', () => {
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'crm-inbound' });
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Name: RECEIPT_RULE_NAME,
        Enabled: true,
        Recipients: [DOMAIN],
        ScanEnabled: true,
        Actions: [
          { S3Action: { BucketName: { Ref: id(inbound.bucket) }, ObjectKeyPrefix: 'inbound/' } },
          {
            LambdaAction: {
              FunctionArn: {
                'Fn::GetAtt': [logicalId(inbound.handler.fn.node.defaultChild as CfnResource), 'Arn'],
              },
              InvocationType: 'Event',
            },
          },
        ],
      },
    });
  });

  it('keeps raw mail private, encrypted, TLS only, logged, and for a month', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[id(inbound.bucket)]?.Properties;
    expect(bucket).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: expect.objectContaining({ LogFilePrefix: 'inbound/' }),
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: INBOUND_MAIL_DAYS, Status: 'Enabled' })],
      },
    });
  });

  it('lets SES write under the prefix only for this rule of this account', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(inbound.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': ruleArn },
            },
          }),
        ]),
      },
    });
  });

  it('lets SES invoke the function only for this rule of this account', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (resource) => resource.Properties,
    );
    expect(permissions).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Principal: 'ses.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: ruleArn,
      }),
    ]);
  });

  it('retries a failing event twice, then parks it in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [id(inbound.deadLetterQueue), 'Arn'] } },
      },
    });
  });

  it('grants the function reading raw mail under the prefix, nothing else in the bucket', () => {
    const statements = beyondLogsTracingAndTable(statementsOfRole(template, roleIdOf(inbound.handler.fn)));
    // Nothing beyond its logs, tracing and the table but this one read, and parking failed events.
    expectSameStatements(statements, [
      expect.objectContaining({ Action: 's3:GetObject', Resource: expect.anything() }) as never,
      expect.objectContaining({
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Resource: { 'Fn::GetAtt': [id(inbound.deadLetterQueue), 'Arn'] },
      }) as never,
    ]);
    const read = statements.find((statement) => statement.Action === 's3:GetObject');
    expect(JSON.stringify(read?.Resource)).toContain('/inbound/*');
    const functions = template.findResources('AWS::Lambda::Function');
    const env =
      functions[logicalId(inbound.handler.fn.node.defaultChild as CfnResource)]?.Properties.Environment
        .Variables;
    expect(env).toMatchObject({ INBOUND_EMAIL_DOMAIN: DOMAIN, INBOUND_MAIL_BUCKET: expect.anything() });
  });

  it('tells the activities function the domain, so the API shows the logging address', () => {
    const api = Template.fromStack(stacks.api);
    const activities = stacks.api.functions.activities.fn.node.defaultChild as CfnResource;
    const env =
      api.findResources('AWS::Lambda::Function')[logicalId(activities)]?.Properties.Environment.Variables;
    expect(env).toMatchObject({ INBOUND_EMAIL_DOMAIN: DOMAIN });
  });
});
