import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { queueConsumerTimeoutMs } from '#shared/queue/queue';
import { IMPORT_FILES_DAYS } from '../../infra/stacks/files-stack.ts';
import {
  actionsOf,
  beyondLogsTracingAndTable,
  expectSameStatements,
  logicalId,
  roleIdOf,
  type Statement,
  statementsOfRole,
  synthApp,
} from './support.ts';

const { stacks, templates } = synthApp();
const files = templates.files;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  logicalId(construct.node.defaultChild as CfnResource);
const imports = stacks.files.imports;
const bucketName = {
  'Fn::Join': ['', ['crm-imports-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
};
const objects = (pattern: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':s3:::crm-imports-',
      { Ref: 'AWS::AccountId' },
      '-',
      { Ref: 'AWS::Region' },
      `/${pattern}`,
    ],
  ],
});

describe('CrmFiles: the imports bucket, its queue and worker', () => {
  it('keeps uploads private, encrypted, TLS only, logged, and for a week', () => {
    const bucket = files.findResources('AWS::S3::Bucket')[id(imports.bucket)]?.Properties;
    expect(bucket).toMatchObject({
      BucketName: bucketName,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(stacks.files.accessLogs) } },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: IMPORT_FILES_DAYS, Status: 'Enabled' })],
      },
    });
    // CORS for the web console's uploads only (console.test.ts).
    expect(bucket?.CorsConfiguration).toMatchObject({ CorsRules: [{ AllowedMethods: ['PUT', 'GET'] }] });
    files.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(imports.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it("sends each uploaded .csv's ObjectCreated event to the importChunks queue, which only that bucket may send to", () => {
    const bucket = files.findResources('AWS::S3::Bucket')[id(imports.bucket)];
    expect(bucket?.Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Queue: { 'Fn::GetAtt': [id(imports.queue), 'Arn'] },
          Filter: { S3Key: { Rules: [{ Name: 'suffix', Value: '.csv' }] } },
        },
      ],
    });
    expect(bucket?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/QueuePolicy/)]));
    files.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              ArnEquals: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':s3:::crm-imports-',
                      { Ref: 'AWS::AccountId' },
                      '-',
                      { Ref: 'AWS::Region' },
                    ],
                  ],
                },
              },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  it('gives the queue a dead-letter queue, encryption and a visibility of six worker timeouts', () => {
    const queue = files.findResources('AWS::SQS::Queue')[id(imports.queue)]?.Properties;
    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: (queueConsumerTimeoutMs.importChunks / 1000) * 6,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(imports.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 6,
      },
    });
    files.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(imports.queue), 'Arn'] },
      FunctionName: { Ref: id(imports.worker.fn) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the worker read uploads, write error reports beside them and queue its continuation, nothing else', () => {
    const statements = beyondLogsTracingAndTable(statementsOfRole(files, roleIdOf(imports.worker.fn)));
    const sqs = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('sqs:')),
    );
    expect(sqs.every((statement) => JSON.stringify(statement.Resource).includes(id(imports.queue)))).toBe(
      true,
    );
    expectSameStatements(
      statements.filter((statement) => !sqs.includes(statement)),
      [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('*') },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: objects('*-errors.csv') },
      ] as Statement[],
    );
    const env =
      files.findResources('AWS::Lambda::Function')[id(imports.worker.fn)]?.Properties.Environment.Variables;
    expect(env).toMatchObject({ IMPORTS_BUCKET: bucketName, QUEUE: 'sqs' });
  });

  it('lets POST /imports presign uploads of .csv files and GET /imports/{id} presign error reports, nothing else of S3', () => {
    const fn = stacks.api.functions.imports;
    const statements = statementsOfRole(templates.api, roleIdOf(fn.fn)).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expectSameStatements(statements, [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects('*.csv') },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('*-errors.csv') },
    ] as Statement[]);
    // The exports function's grant (presigned downloads of the exports bucket) is checked in exports.test.ts.
    const others = Object.entries(stacks.api.functions).filter(
      ([name]) => name !== 'imports' && name !== 'exports',
    );
    for (const [, other] of others) {
      const s3 = statementsOfRole(templates.api, roleIdOf(other.fn)).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('s3:')),
      );
      expect(s3).toEqual([]);
    }
  });
});
