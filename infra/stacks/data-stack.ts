import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableDefinition } from '#shared/store/table';

/** Every key attribute holds a string (`T#<tenant>#...`, ULIDs, normalised names). */
const stringAttribute = (name: string): Attribute => ({ name, type: AttributeType.STRING });

export interface DataStackProps extends StackProps {
  /** For the signing secret; the table is always retained. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The single table, built from the shared definition that the local runtime uses too.
 * It outlives every stack: deletion protection on, and RETAIN whatever the removalPolicy context says.
 * Also the key that signs cursors and public links (tracking, unsubscribe, CSAT): the API,
 * the campaign sender and the sequence steps all use it, and links in sent email must keep
 * working as long as the data does.
 */
export class DataStack extends Stack {
  readonly table: TableV2;
  readonly signingSecret: Secret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    this.table = new TableV2(this, 'Table', {
      partitionKey: stringAttribute(tableDefinition.partitionKey),
      sortKey: stringAttribute(tableDefinition.sortKey),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      dynamoStream: StreamViewType[tableDefinition.stream],
      globalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: stringAttribute(index.partitionKey),
        sortKey: stringAttribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
    });

    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 'Key that signs list cursors and public links (unsubscribe, tracking, CSAT)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The signing key validates long-lived unsubscribe, tracking and CSAT links; automatic rotation would ' +
        'break every link already sent. Rotate by hand when needed, accepting that.',
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
