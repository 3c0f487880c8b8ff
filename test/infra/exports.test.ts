import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { queueConsumerTimeoutMs } from '#shared/queue/queue';
import { EXPORT_FILES_DAYS } from '../../infra/stacks/exports-stack.ts';
import {
  actionsOf,
  beyondLogsTracingAndTable,
  logicalId,
  roleIdOf,
  statementsOfRole,
  synthApp,
} from './support.ts';

/** CrmExports: the exports bucket, the export job queue and its worker, and what the API may do with them. */
const { stacks, templates } = synthApp();
const exportsTemplate = Template.fromStack(stacks.exports);
const bucketName = {
  'Fn::Join': ['', ['crm-exports-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
};
const objectsArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':s3:::crm-exports-',
      { Ref: 'AWS::AccountId' },
      '-',
      { Ref: 'AWS::Region' },
      '/*',
    ],
  ],
};

describe('CrmExports', () => {
  it('keeps files in a private, encrypted, SSL-only bucket, with access logs, deleted after two days', () => {
    exportsTemplate.hasResourceProperties('AWS::S3::Bucket', {
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
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'exports/' }),
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: EXPORT_FILES_DAYS,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ],
      },
    });
    exportsTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('queues jobs with a dead-letter queue and a visibility of six times the worker timeout', () => {
    const queue =
      exportsTemplate.findResources('AWS::SQS::Queue')[
        logicalId(stacks.exports.queue.node.defaultChild as never)
      ];
    expect(queue?.Properties).toMatchObject({
      VisibilityTimeout: (queueConsumerTimeoutMs.exportJobs / 1000) * 6,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 4 },
    });
    exportsTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the worker write export objects and nothing else beyond the table', () => {
    const statements = beyondLogsTracingAndTable(
      statementsOfRole(exportsTemplate, roleIdOf(stacks.exports.worker.fn)),
    );
    const s3 = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3).toEqual([
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objectsArn },
    ]);
    const others = statements.flatMap(actionsOf).filter((action) => !/^(s3|sqs):/.test(action));
    expect(others).toEqual([]);
    // sqs: only what consuming its own queue takes.
    for (const action of statements.flatMap(actionsOf).filter((name) => name.startsWith('sqs:')))
      expect(action).toMatch(
        /^sqs:(ReceiveMessage|ChangeMessageVisibility|GetQueueUrl|DeleteMessage|GetQueueAttributes)$/,
      );
    exportsTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('export worker'),
      Environment: { Variables: Match.objectLike({ EXPORTS_BUCKET: bucketName }) },
    });
  });

  it('lets the exports HTTP function read export objects (presigned downloads) and send to the queue', () => {
    const api = templates.api;
    const statements = beyondLogsTracingAndTable(
      statementsOfRole(api, roleIdOf(stacks.api.functions.exports.fn)),
    );
    const s3 = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn }]);
    expect(
      statements
        .flatMap(actionsOf)
        .every((action) => /^(s3:GetObject|sqs:(SendMessage|GetQueue\w+))$/.test(action)),
    ).toBe(true);
    api.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'CRM HTTP API: exports',
      Environment: {
        Variables: Match.objectLike({
          EXPORTS_BUCKET: bucketName,
          QUEUE: 'sqs',
          EXPORT_JOBS_QUEUE_URL: Match.anyValue(),
        }),
      },
    });
  });
});
