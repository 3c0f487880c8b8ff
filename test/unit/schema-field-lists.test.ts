import { describe, expect, it } from 'vitest';
import { campaignRecordFields } from '#shared/domain/campaign';
import { recipientFields } from '#shared/domain/delivery';
import { campaignSchemas } from '#shared/schemas/campaigns';

/** The plain field lists the stream's consumers use instead of zod, held to the schemas that document them. */
describe('field lists kept beside their schemas', () => {
  it('recipient fields are exactly what the recipient schema documents', () => {
    expect([...recipientFields].sort()).toEqual(Object.keys(campaignSchemas().recipient.shape).sort());
  });

  it('campaign record fields are exactly what the campaign record schema documents', () => {
    expect([...campaignRecordFields].sort()).toEqual(Object.keys(campaignSchemas().record.shape).sort());
  });
});
