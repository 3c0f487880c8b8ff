import { describe, expect, it } from 'vitest';
import { importErrorsKey, importObjectKey, parseImportObjectKey } from '#shared/store/imports';
import { parseImportMessage } from '../../functions/queue/importChunks.ts';

const ID = '01M8N0DD51W08YS0C760V2N07W';
const s3Event = (key: string, eventName = 'ObjectCreated:Put') =>
  JSON.stringify({
    Records: [{ eventName, s3: { bucket: { name: 'crm-imports' }, object: { key, size: 10 } } }],
  });

describe('import object keys', () => {
  it('names the tenant and the import of an upload, and nothing else', () => {
    expect(parseImportObjectKey(importObjectKey('acme', ID))).toEqual({ tenantId: 'acme', importId: ID });
    for (const key of [
      importErrorsKey('acme', ID),
      `acme/${ID}.CSV`,
      `acme/sub/${ID}.csv`,
      `${ID}.csv`,
      `ac me/${ID}.csv`,
      `acme/${ID.toLowerCase()}.csv`,
      `acme/../${ID}.csv`,
      `acme/${ID}.csv.exe`,
    ])
      expect(parseImportObjectKey(key), key).toBeUndefined();
  });
});

describe('importChunks messages', () => {
  it('reads S3 ObjectCreated events (key URL-encoded) and its own continuations', () => {
    expect(parseImportMessage(s3Event(`acme/${ID}.csv`))).toEqual({
      tenantId: 'acme',
      importId: ID,
      fromRow: 0,
    });
    expect(parseImportMessage(s3Event(`acme%2F${ID}.csv`, 'ObjectCreated:CompleteMultipartUpload'))).toEqual({
      tenantId: 'acme',
      importId: ID,
      fromRow: 0,
    });
    expect(
      parseImportMessage(JSON.stringify({ kind: 'chunk', tenantId: 'acme', importId: ID, fromRow: 1500 })),
    ).toEqual({ tenantId: 'acme', importId: ID, fromRow: 1500 });
  });

  it('marks objects that are no upload as ignored, and refuses what it cannot read', () => {
    expect(parseImportMessage(s3Event(importErrorsKey('acme', ID)))).toEqual({
      ignored: `acme/${ID}-errors.csv`,
    });
    expect(parseImportMessage(s3Event('stray+file.csv'))).toEqual({ ignored: 'stray file.csv' });
    for (const body of [
      'not json',
      'null',
      JSON.stringify({ Event: 's3:TestEvent' }),
      s3Event(`acme/${ID}.csv`, 'ObjectRemoved:Delete'),
      s3Event('%E0%A4%A.csv'),
      JSON.stringify({ kind: 'chunk', tenantId: 'a/b', importId: ID }),
      JSON.stringify({ kind: 'chunk', tenantId: 'acme' }),
    ])
      expect(parseImportMessage(body), body).toBeUndefined();
  });
});
