import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { type IReceiptRuleAction, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { INBOUND_MAIL_PREFIX } from '#shared/domain/ses-receipt';
import type { CrmConfig } from '../config.ts';
import { CrmFunction } from '../constructs/crm-function.ts';
import { accessLogsBucket, fileBucketName } from '../constructs/files.ts';
import { lambda } from '../lambdas.ts';

export interface InboundStackProps extends StackProps {
  readonly table: ITableV2;
  readonly config: CrmConfig;
  /** The domain SES receives for (`-c inboundEmailDomain=...`). */
  readonly domain: string;
}

/** Raw received mail is deleted this many days after it arrives (its activity keeps what the CRM shows). */
export const INBOUND_MAIL_DAYS = 30;

/** `crm-inbound`, or `crm-inbound-<stage>`: the receipt rule set to activate (one is active per account and region). */
export const receiptRuleSetName = (stage: string | undefined): string =>
  stage ? `crm-inbound-${stage}` : 'crm-inbound';
export const RECEIPT_RULE_NAME = 'logging-addresses';

/**
 * Inbound email, only when a domain is configured: an SES receipt rule set
 * with one rule for the domain (spam and virus scanning on) whose actions
 * store each message in a private, encrypted bucket (objects expiring after
 * INBOUND_MAIL_DAYS) and then invoke the inbound function asynchronously
 * (functions/events/inboundEmail.ts: the Lambda action's event carries the
 * SMTP envelope, which a Bcc to the logging address needs). Lambda retries a
 * failing event twice and parks it in the dead-letter queue. SES may write
 * only under the prefix and invoke only the function, and only for this rule
 * of this account (aws:SourceAccount and aws:SourceArn).
 *
 * Manual steps, once (see the README): SES receiving exists in a few regions
 * only; the domain must be a verified SES identity, its MX record must point
 * at `inbound-smtp.<region>.amazonaws.com`, and this rule set must be made the
 * active one (`aws ses set-active-receipt-rule-set`), which CloudFormation cannot do.
 */
export class InboundStack extends Stack {
  readonly bucket: Bucket;
  readonly handler: CrmFunction;
  readonly deadLetterQueue: Queue;
  readonly ruleSet: ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: InboundStackProps) {
    super(scope, id, props);
    const { config, table, domain } = props;
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const ruleSetName = receiptRuleSetName(config.stage);
    const ruleArn = `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:receipt-rule-set/${ruleSetName}:receipt-rule/${RECEIPT_RULE_NAME}`;
    const name = fileBucketName('inbound', config.stage);

    const accessLogs = accessLogsBucket(this, config.removalPolicy);
    this.bucket = new Bucket(this, 'Mail', {
      bucketName: name.physical,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'inbound/',
      lifecycleRules: [{ expiration: Duration.days(INBOUND_MAIL_DAYS) }],
      removalPolicy: config.removalPolicy,
    });
    const sesPrincipal = new ServicePrincipal('ses.amazonaws.com');
    const sourceConditions = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': ruleArn },
    };
    const { policyDependable } = this.bucket.addToResourcePolicy(
      new PolicyStatement({
        principals: [sesPrincipal],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${INBOUND_MAIL_PREFIX}*`)],
        conditions: sourceConditions,
      }),
    );

    this.deadLetterQueue = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    this.handler = CrmFunction.fromCatalogue(this, lambda('inboundEmail'), {
      table,
      config,
      buckets: { inbound: name },
    });
    this.handler.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    const permission = 'AllowSesReceipt';
    this.handler.fn.addPermission(permission, {
      action: 'lambda:InvokeFunction',
      principal: sesPrincipal,
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: ruleArn,
    });

    // The actions as SES takes them, with the grants above (CDK's own add SourceAccount only).
    const store: IReceiptRuleAction = {
      bind: (rule) => {
        if (policyDependable) rule.node.addDependency(policyDependable);
        return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: INBOUND_MAIL_PREFIX } };
      },
    };
    const invoke: IReceiptRuleAction = {
      bind: (rule) => {
        const granted = this.handler.fn.permissionsNode.tryFindChild(permission);
        if (granted) rule.node.addDependency(granted);
        return { lambdaAction: { functionArn: this.handler.fn.functionArn, invocationType: 'Event' } };
      },
    };
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: ruleSetName });
    this.ruleSet.addRule('LoggingAddresses', {
      receiptRuleName: RECEIPT_RULE_NAME,
      recipients: [domain],
      scanEnabled: true,
      tlsPolicy: TlsPolicy.OPTIONAL,
      actions: [store, invoke],
    });

    new CfnOutput(this, 'ReceiptRuleSetName', { value: ruleSetName });
    new CfnOutput(this, 'InboundMailBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'InboundEmailFailureQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'MxRecord', { value: `${domain}. MX 10 inbound-smtp.${Aws.REGION}.amazonaws.com` });

    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (inbound email events that kept failing).',
    });
  }
}
