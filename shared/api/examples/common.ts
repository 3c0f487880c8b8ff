/**
 * The ids, people and times the OpenAPI examples share, so that one story runs through the
 * whole reference: Northwind Traders' contact Ana Ruiz, her deal and case, the spring
 * campaign she clicked. Ids are ULIDs, users Cognito subs, times ISO 8601 UTC.
 */

export const ids = {
  company: '01JC8Z3N5QH2V7W4X9KTR6M1DA',
  contact: '01JC8Z5B1T6E3Y8F2H7QWN4KPC',
  secondContact: '01JC8Z6F9R2M5K1V7Y3TQD8WXE',
  lead: '01JC9A1R4M7N2P5Q8S3V6W9XYB',
  deal: '01JCA2D7F1K5N8Q3T6W9Y2B4CE',
  pipeline: '01JB0P1PE7N3S4K6M8Q2R5T9VW',
  stageQualified: '01JB0P2Q5A8D1F4H7K0M3P6RSA',
  stageProposal: '01JB0P3R6B9E2G5J8M1N4Q7STB',
  stageNegotiation: '01JB0P4S7C0F3H6K9N2P5R8TVC',
  stageWon: '01JB0P5T8D1G4J7M0P3Q6S9VWD',
  stageLost: '01JB0P6V9E2H5K8N1Q4R7T0WXE',
  product: '01JB3PRD4K8N2Q6T0W4Y8C2F6H',
  secondProduct: '01JB3PRE5M9P3R7V1X5Z9D3G7J',
  quote: '01JCB4Q8W2E6R0T4Y8K2M6P0S4',
  case: '01JCC5C9X3F7H1K5N9Q3T7W1Z5',
  activity: '01JCD6A0Y4G8J2M6P0S4V8Y2B6',
  comment: '01JCE7C1Z5H9K3N7R1T5X9A3D7',
  notification: '01JCE8N2A6J0M4Q8S2W6Z0C4F8',
  timelineEntry: '01JCE9T3B7K1N5R9V3Y7B1E5H9',
  segment: '01JBS1G4C8M2P6S0W4Z8D2G6K0',
  template: '01JBT2H5D9N3Q7T1X5A9E3H7M1',
  secondTemplate: '01JBT3J6E0P4R8V2Y6B0F4J8N2',
  campaign: '01JBC3K7F1Q5S9W3Z7C1G5K9P3',
  sequence: '01JBQ4M8G2R6T0X4A8D2H6M0Q4',
  team: '01JA7T1M4E8A5K2Q9W3R6Y0V7P',
  view: '01JCV5N9H3S7V1Y5B9E3J7N1R5',
  share: '01JCS6P0J4T8W2Z6C0F4K8P2S6',
  download: '01JCS7Q1K5V9X3A7D1G5M9Q3T7',
  import: '01JCJ8R2M6W0Y4B8E2H6N0R4V8',
  export: '01JCX9S3N7X1Z5C9F3J7P1S5W9',
  historyEntry: '01JCA3H8G2M6P9R4T7V0X3Z6B9',
  rebuild: '01JCR0T4P8Y2A6D0G4K8Q2T6X0',
  /** What converting the lead creates: its contact, company and deal. */
  convertedContact: '01JCZ1A5Q9W3E7R1T5Y9K3M7P1',
  convertedCompany: '01JCZ2B6R0X4F8S2V6Z0N4Q8S2',
  convertedDeal: '01JCZ3C7S1Y5G9T3W7A1P5R9T3',
} as const;

/** Users are Cognito subs: an admin, a sales manager and the rep who owns most examples. */
export const users = {
  admin: {
    id: '5f1c2a7e-9b34-4d8e-a1f6-0c7b3e2d9a41',
    name: 'Marta Vidal',
    email: 'marta.vidal@northwind.example',
  },
  manager: {
    id: '8a3e6d1b-2c47-4f90-b5e8-7d6a1c3f0b92',
    name: 'Jordi Puig',
    email: 'jordi.puig@northwind.example',
  },
  rep: {
    id: 'c2d9f4a8-6e15-4b73-9a0c-3f8e5b1d7c26',
    name: 'Lucía García',
    email: 'lucia.garcia@northwind.example',
  },
} as const;

export const tenantId = 'northwind';

/** A record's life: created, last changed, and the moments the examples refer to. */
export const at = {
  created: '2026-11-02T09:14:27.512Z',
  updated: '2026-11-18T16:40:03.118Z',
  lastActivity: '2026-11-17T11:05:00.000Z',
  clicked: '2026-11-12T08:31:44.902Z',
  sent: '2026-11-12T08:00:00.000Z',
  now: '2026-11-20T10:00:00.000Z',
} as const;

/** What every stored record carries, owned by the rep of the sales team. */
export const recordBase = (id: string, version = 3) => ({
  id,
  createdAt: at.created,
  updatedAt: at.updated,
  createdBy: users.rep.id,
  updatedBy: users.rep.id,
  version,
  ownerId: users.rep.id,
  teamId: ids.team,
  archived: false,
});

/** A page of a list: the items and the cursor of the next page (`null` on the last). */
export const page = (...items: unknown[]) => ({ items, nextCursor: 'eyJwayI6IlQjbm9ydGh3aW5kIn0' });

/** The last page of a list. */
export const lastPage = (...items: unknown[]) => ({ items, nextCursor: null });

/** What a record example is: any JSON object with a version. */
export type RecordExample = { readonly version: number } & Readonly<Record<string, unknown>>;

/** A record after a merge patch: the patch's fields, one version more, changed now. */
export const changed = <R extends { version: number }>(record: R, patch: object) => ({
  ...record,
  ...patch,
  version: record.version + 1,
  updatedAt: at.now,
});
