import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's findings on the handler CDK's BucketDeployment adds to `stack` (one per
 * stack, a singleton): its managed logging policy, the object wildcards of its copy from the
 * CDK assets bucket into `bucketObjects` (how cdk-nag prints the destination's `.../*`), and its
 * runtime, which CDK chooses.
 */
export function acknowledgeBucketDeployment(stack: Stack, bucketObjects: string): void {
  const handler = stack.node.children.find((child: IConstruct) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) throw new Error(`${stack.stackName} has no BucketDeployment handler`);
  const role = handler.node.findChild('ServiceRole');
  const copying =
    'The deployment handler copies a build from the CDK assets bucket into the console bucket: CDK grants it ' +
    'read on the asset objects and write and delete under the destination, with S3 action families';
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "CDK's BucketDeployment handler writes its logs with the AWS managed basic execution policy.",
  });
  Validations.of(role.node.findChild('DefaultPolicy')).acknowledge(
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${copying} (${action}).`,
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason: `${copying}; the asset object's key is a hash known only at deploy time.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${bucketObjects}]`,
      reason: `${copying}; it writes every file of the build, so all objects of the console bucket.`,
    },
  );
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason: "CDK's BucketDeployment handler runs on the runtime CDK pins for it; a CDK upgrade moves it.",
  });
}

/** How cdk-nag prints the objects of a bucket created in `stack`: `<LogicalId.Arn>/*`. */
export const ownBucketObjects = (stack: Stack, bucket: IConstruct): string =>
  `<${stack.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/*`;
