import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableDefinition } from '#shared/store/table';
import { synthApp } from './support.ts';

const { templates } = synthApp();
const tables = templates.data.findResources('AWS::DynamoDB::GlobalTable');
const [table] = Object.values(tables);

describe('CrmData: the single table', () => {
  it('is one table whose keys are those of the shared table definition', () => {
    expect(Object.keys(tables)).toHaveLength(1);
    expect(table?.Properties.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
  });

  it('has exactly the indexes of the definition, each projecting all attributes', () => {
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual(
      tableDefinition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
  });

  it('declares every key attribute as a string', () => {
    const keys = [
      tableDefinition.partitionKey,
      tableDefinition.sortKey,
      ...tableDefinition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    expect(table?.Properties.AttributeDefinitions).toEqual(
      keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    );
  });

  it('bills per request, streams new and old images and expires items by the TTL attribute', () => {
    templates.data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: tableDefinition.stream },
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
    });
  });

  it('is protected: point-in-time recovery, deletion protection, retained on stack deletion', () => {
    templates.data.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      },
    });
  });

  it('holds the signing secret (64 characters, no punctuation), kept unless removalPolicy=destroy', () => {
    templates.data.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
    });
    templates.data.resourceCountIs('AWS::SecretsManager::Secret', 1);
    // The API, the sender and sequence steps all read it, so it lives with the data, not in CrmApi.
    templates.api.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('stays retained when the removalPolicy context says destroy (the signing secret does not)', () => {
    const { templates: destroyed } = synthApp({ removalPolicy: 'destroy' });
    destroyed.data.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    destroyed.data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
  });
});
