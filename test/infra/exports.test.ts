import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { queueConsumerTimeoutMs } from '#shared/queue/queue';
import { EXPORT_FILES_DAYS } from '../../infra/stacks/files-stack.ts';
import {
  actionsOf,
  beyondLogsTracingAndTable,
  logicalId,
  roleIdOf,
  statementsOfRole,
  synthApp,
} from './support.ts';

/** CrmFiles' exports part: the exports bucket, the export job queue and its worker, and what the API may do with them. */
const { stacks, templates } = synthApp();
const files = templates.files;
const exports = stacks.files.exports;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  logicalId(construct.node.defaultChild as CfnResource);
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

describe('CrmFiles: the exports bucket, its queue and worker', () => {
  it('keeps files in a private, encrypted, SSL-only bucket, with access logs, deleted after two days', () => {
    const bucket = files.findResources('AWS::S3::Bucket')[id(exports.bucket)]?.Properties;
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
      LoggingConfiguration: { DestinationBucketName: { Ref: id(stacks.files.accessLogs) } },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: EXPORT_FILES_DAYS, Status: 'Enabled' })],
      },
    });
    // No upload notification: the worker's messages come from the exports HTTP function only.
    expect(bucket?.NotificationConfiguration).toBeUndefined();
    files.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(exports.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('queues jobs with a dead-letter queue and a visibility of six times the worker timeout', () => {
    const queue = files.findResources('AWS::SQS::Queue')[id(exports.queue)]?.Properties;
    expect(queue).toMatchObject({
      VisibilityTimeout: (queueConsumerTimeoutMs.exportJobs / 1000) * 6,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 4 },
    });
    files.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(exports.worker.fn) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the worker write export objects and consume its queue, nothing else beyond the table', () => {
    const statements = beyondLogsTracingAndTable(statementsOfRole(files, roleIdOf(exports.worker.fn)));
    const s3 = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3.flatMap(actionsOf)).toEqual(['s3:PutObject']);
    expect(s3.map((statement) => statement.Resource)).toEqual([objectsArn]);
    for (const action of statements.flatMap(actionsOf).filter((name) => !name.startsWith('s3:')))
      expect(action).toMatch(
        /^sqs:(ReceiveMessage|ChangeMessageVisibility|GetQueueUrl|DeleteMessage|GetQueueAttributes)$/,
      );
    files.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('export worker'),
      Environment: { Variables: Match.objectLike({ EXPORTS_BUCKET: bucketName }) },
    });
  });

  it('lets the exports HTTP function read export objects (presigned downloads), send to the queue and read the signing secret', () => {
    const api = templates.api;
    const statements = beyondLogsTracingAndTable(
      statementsOfRole(api, roleIdOf(stacks.api.functions.exports.fn)),
    );
    const s3 = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3.flatMap(actionsOf)).toEqual(['s3:GetObject']);
    expect(s3.map((statement) => statement.Resource)).toEqual([objectsArn]);
    expect(
      statements
        .flatMap(actionsOf)
        // Beside the bucket and queue, only the signing secret, which verifies shared list links.
        .every((action) =>
          /^(s3:GetObject|sqs:(SendMessage|GetQueue\w+)|secretsmanager:(GetSecretValue|DescribeSecret))$/.test(
            action,
          ),
        ),
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
