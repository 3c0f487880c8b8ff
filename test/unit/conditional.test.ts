import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamo } from '../../shared/store/client.ts';
import { conditionHeld, unlessConditionFails } from '../../shared/store/conditional.ts';
import { exists, updateExpression } from '../../shared/store/update-expression.ts';

process.env.AWS_REGION = 'us-east-1';

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });
const cancelled = () =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
  });

/** A write that fails with `error`. */
const failing = (error: unknown) => async (): Promise<never> => {
  throw error;
};

describe('conditionHeld', () => {
  it('is true when the write is made, and runs it once', async () => {
    const write = vi.fn(async () => ({ Attributes: { version: 2 } }));
    expect(await conditionHeld(write)).toBe(true);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('is true when the write resolves to nothing', async () => {
    expect(await conditionHeld(async () => undefined)).toBe(true);
  });

  it('is false when the condition does not hold, and runs the write once', async () => {
    const write = vi.fn(failing(conditionFailed()));
    expect(await conditionHeld(write)).toBe(false);
    expect(write).toHaveBeenCalledTimes(1);
  });
});

describe('unlessConditionFails', () => {
  it("resolves to the write's output", async () => {
    const output = { Attributes: { status: 'sent' } };
    expect(await unlessConditionFails(async () => output)).toBe(output);
  });

  it('is undefined when the condition does not hold', async () => {
    expect(await unlessConditionFails(failing(conditionFailed()))).toBeUndefined();
  });
});

describe.each([
  ['conditionHeld', conditionHeld],
  ['unlessConditionFails', unlessConditionFails],
])('%s and other errors', (_name, absorbing) => {
  it('rethrows each as it is, a cancelled transaction included', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ProvisionedThroughputExceededException',
    });
    for (const error of [throttled, new Error('network'), cancelled()]) {
      await expect(absorbing(failing(error))).rejects.toBe(error);
    }
  });
});

describe('with the document client', () => {
  const dynamoMock = mockClient(DynamoDBDocumentClient);
  afterEach(() => dynamoMock.reset());

  const key = { pk: 'A', sk: 'B' };
  const put = () =>
    dynamo.send(
      new PutCommand({ TableName: 'crm-test', Item: key, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  const update = () =>
    dynamo.send(
      new UpdateCommand({
        TableName: 'crm-test',
        Key: key,
        ...updateExpression({ set: { read: true }, when: [exists('pk')] }),
        ReturnValues: 'ALL_NEW',
      }),
    );

  it('tells a made write from one whose condition failed', async () => {
    dynamoMock.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await conditionHeld(put)).toBe(true);
    expect(await conditionHeld(put)).toBe(false);
    expect(dynamoMock.commandCalls(PutCommand)).toHaveLength(2);

    dynamoMock
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: { pk: 'A', sk: 'B', read: true } })
      .rejectsOnce(conditionFailed());
    expect(await unlessConditionFails(update)).toMatchObject({ Attributes: { read: true } });
    expect(await unlessConditionFails(update)).toBeUndefined();
  });

  it('lets any other failure of the client through', async () => {
    dynamoMock.on(PutCommand).rejects(cancelled());
    await expect(conditionHeld(put)).rejects.toBeInstanceOf(TransactionCanceledException);
    dynamoMock.on(UpdateCommand).rejects(new Error('network'));
    await expect(unlessConditionFails(update)).rejects.toThrow('network');
  });
});
