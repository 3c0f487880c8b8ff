import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import type { CrmConfig } from '../config.ts';

/**
 * The role and log group of the handler CDK's BucketDeployment adds to a stack (one per stack):
 * its own role writing only to its own log group with the stack's retention, as every function of
 * the CRM does, rather than the AWS managed basic execution policy on any log group.
 */
export function deploymentHandler(scope: Construct, config: CrmConfig): { role: Role; logGroup: LogGroup } {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('DeploymentHandlerRole') as Role | undefined;
  if (existing)
    return { role: existing, logGroup: stack.node.findChild('DeploymentHandlerLogs') as LogGroup };
  const logGroup = new LogGroup(stack, 'DeploymentHandlerLogs', {
    retention: config.logRetention,
    removalPolicy: config.removalPolicy,
  });
  const role = new Role(stack, 'DeploymentHandlerRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: "CDK's BucketDeployment handler: copies the console's files into its bucket",
  });
  logGroup.grantWrite(role);
  return { role, logGroup };
}

/**
 * Acknowledges cdk-nag's findings on that handler: the object wildcards of its copy from the CDK
 * assets bucket into `bucketObjects` (how cdk-nag prints the destination's `.../*`), and its
 * runtime, which CDK chooses. Call after the stack's deployments.
 */
export function acknowledgeDeploymentHandler(stack: Stack, bucketObjects: string): void {
  const handler = stack.node.children.find((child: IConstruct) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) throw new Error(`${stack.stackName} has no BucketDeployment handler`);
  const copying =
    'The deployment handler copies a build from the CDK assets bucket into the console bucket: CDK grants it ' +
    'read on the asset objects and write and delete under the destination, with S3 action families';
  const policy = stack.node.findChild('DeploymentHandlerRole').node.findChild('DefaultPolicy');
  Validations.of(policy).acknowledge(
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
