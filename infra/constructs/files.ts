import { Aws } from 'aws-cdk-lib';
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
