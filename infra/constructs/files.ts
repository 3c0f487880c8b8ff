import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { BucketName } from '#shared/storage/object-store';

/**
 * A file bucket's physical name, fixed from the account, region and stage, so
 * that functions of any stack are granted its objects by name without a
 * cross-stack reference: `shown` is how cdk-nag prints it, for the
 * acknowledgement of the tenant-prefix wildcard in those grants.
 */
export interface FileBucketName {
  readonly physical: string;
  readonly shown: string;
}

/** `crm-<name>-<account>-<region>[-<stage, lower-cased, at most 20 characters>]`: at most 63 characters. */
export function fileBucketName(name: BucketName, stage: string | undefined): FileBucketName {
  const suffix = stage ? `-${stage.toLowerCase().slice(0, 20)}` : '';
  return {
    physical: `crm-${name}-${Aws.ACCOUNT_ID}-${Aws.REGION}${suffix}`,
    shown: `crm-${name}-<AWS::AccountId>-<AWS::Region>${suffix}`,
  };
}

/**
 * The bucket a stack's file buckets send their S3 server access logs to: encrypted, private,
 * bucket-owner ownership (log delivery through a bucket policy), TLS only, kept 90 days.
 */
export function accessLogsBucket(scope: Construct, removalPolicy: RemovalPolicy): Bucket {
  return new Bucket(scope, 'AccessLogs', {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy,
  });
}
