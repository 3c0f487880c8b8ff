import { describe, expect, it } from 'vitest';
import {
  absent,
  anyOf,
  differs,
  equals,
  exists,
  incremented,
  keptIfPresent,
  oneOf,
  updateExpression,
  verbatim,
} from '#shared/store/update-expression';

describe('update expressions', () => {
  it('names every attribute and value by placeholder, one name per attribute', () => {
    expect(
      updateExpression({
        set: { status: 'sent', version: incremented(1), expiresAt: keptIfPresent(60) },
        remove: ['claimId'],
        add: { used: 2 },
        when: [
          exists('pk'),
          anyOf(equals('status', 'sending'), absent('claimId')),
          oneOf('kind', ['a', 'b']),
        ],
      }),
    ).toEqual({
      UpdateExpression:
        'SET #n0 = :v0, #n1 = #n1 + :v1, #n2 = if_not_exists(#n2, :v2) REMOVE #n3 ADD #n4 :v3',
      ConditionExpression:
        '(attribute_exists(#n5)) AND ((#n0 = :v4) OR (attribute_not_exists(#n3))) AND (#n6 IN (:v5, :v6))',
      ExpressionAttributeNames: {
        '#n0': 'status',
        '#n1': 'version',
        '#n2': 'expiresAt',
        '#n3': 'claimId',
        '#n4': 'used',
        '#n5': 'pk',
        '#n6': 'kind',
      },
      ExpressionAttributeValues: {
        ':v0': 'sent',
        ':v1': 1,
        ':v2': 60,
        ':v3': 2,
        ':v4': 'sending',
        ':v5': 'a',
        ':v6': 'b',
      },
    });
  });
  it('leaves out what is empty, as DynamoDB refuses empty maps and clauses', () => {
    expect(updateExpression({ remove: ['email'], when: [differs('ownerId', 'u1')] })).toEqual({
      UpdateExpression: 'REMOVE #n0',
      ConditionExpression: '#n1 <> :v0',
      ExpressionAttributeNames: { '#n0': 'email', '#n1': 'ownerId' },
      ExpressionAttributeValues: { ':v0': 'u1' },
    });
    expect(() => updateExpression({ when: [exists('pk')] })).toThrow();
  });
  it('keeps a verbatim condition and its own placeholders beside the generated ones', () => {
    expect(
      updateExpression({
        set: { status: 'sent' },
        when: [
          exists('pk'),
          verbatim('#status = :sending AND claimId = :claim', {
            names: { '#status': 'status' },
            values: { ':sending': 'sending', ':claim': 'c1' },
          }),
        ],
      }),
    ).toEqual({
      UpdateExpression: 'SET #n0 = :v0',
      ConditionExpression: '(attribute_exists(#n1)) AND (#status = :sending AND claimId = :claim)',
      ExpressionAttributeNames: { '#n0': 'status', '#n1': 'pk', '#status': 'status' },
      ExpressionAttributeValues: { ':v0': 'sent', ':sending': 'sending', ':claim': 'c1' },
    });
  });
});
