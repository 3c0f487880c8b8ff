import { at, ids, users } from './common.ts';

/** Settings, saved views, imports, exports and shared lists of the examples. */

export const settingsExamples = {
  fields: {
    entity: 'contacts',
    fields: [
      {
        key: 'tier',
        label: 'Customer tier',
        type: 'select',
        options: ['gold', 'silver', 'bronze'],
        required: false,
      },
      { key: 'preferredLanguage', label: 'Preferred language', type: 'select', options: ['es', 'en', 'ca'] },
      { key: 'renewalDate', label: 'Renewal date', type: 'date' },
    ],
    updatedAt: at.updated,
    updatedBy: users.admin.id,
  },
  get fieldsPut() {
    return settingsExamples.fields.fields;
  },
  leadAssignment: {
    strategy: 'by_country',
    userIds: [users.rep.id, users.manager.id],
    countries: { ES: users.rep.id, PT: users.manager.id },
    updatedAt: at.updated,
    updatedBy: users.admin.id,
  },
  leadAssignmentPut: {
    strategy: 'by_country',
    userIds: [users.rep.id, users.manager.id],
    countries: { ES: users.rep.id, PT: users.manager.id },
  },
};

export const viewExamples = {
  create: {
    name: 'My Valencia customers',
    entity: 'contacts',
    filter: { tag: 'decision-maker', ownerId: users.rep.id },
    sort: { field: 'lastName', direction: 'asc' },
    columns: ['firstName', 'lastName', 'email', 'city', 'customFields.tier'],
    visibility: 'team',
  },
  get record() {
    return {
      ...viewExamples.create,
      id: ids.view,
      createdAt: at.created,
      updatedAt: at.updated,
      createdBy: users.rep.id,
      updatedBy: users.rep.id,
      version: 2,
      ownerId: users.rep.id,
      teamId: ids.team,
      archived: false,
    };
  },
  patch: { columns: ['firstName', 'lastName', 'email', 'phone', 'customFields.tier'] },
};

const importBase = {
  id: ids.import,
  entity: 'contacts',
  mode: 'upsert',
  dryRun: false,
  ownerId: users.rep.id,
  mapping: { 'E-mail': 'email', Nombre: 'firstName', Apellidos: 'lastName', Empresa: 'companyName' },
  encoding: 'utf-8',
  delimiter: ';',
  createdAt: at.now,
};

export const importExamples = {
  create: {
    entity: 'contacts',
    mode: 'upsert',
    mapping: importBase.mapping,
    encoding: 'utf-8',
    delimiter: ';',
    dryRun: false,
  },
  created: {
    ...importBase,
    status: 'uploading',
    totalRows: 0,
    processedRows: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    notes: 0,
    errorsUrl: null,
    uploadUrl:
      'https://crm-imports.s3.eu-west-1.amazonaws.com/northwind/01JCJ8R2M6W0Y4B8E2H6N0R4V8.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900',
    expiresAt: '2026-11-20T10:15:00.000Z',
    maxBytes: 52428800,
  },
  done: {
    ...importBase,
    status: 'done',
    totalRows: 1250,
    processedRows: 1250,
    created: 1180,
    updated: 52,
    skipped: 6,
    failed: 12,
    notes: 3,
    errorsUrl: `https://api.crm.example/imports/${ids.import}/errors.csv`,
    columns: [
      { column: 'E-mail', index: 0, field: 'email' },
      { column: 'Nombre', index: 1, field: 'firstName' },
      { column: 'Apellidos', index: 2, field: 'lastName' },
      { column: 'Notas internas', index: 3, field: null },
    ],
    finishedAt: '2026-11-20T10:02:41.000Z',
  },
};

export const exportExamples = {
  processing: {
    id: ids.export,
    status: 'processing',
    format: 'csv',
    entity: 'contacts',
    filters: { tag: 'newsletter' },
    href: `/exports/${ids.export}`,
    createdAt: at.now,
  },
  segmentProcessing: {
    id: ids.export,
    status: 'processing',
    format: 'csv',
    segmentId: ids.segment,
    href: `/exports/${ids.export}`,
    createdAt: at.now,
  },
  done: {
    id: ids.export,
    status: 'done',
    format: 'csv',
    entity: 'contacts',
    filters: { tag: 'newsletter' },
    href: `/exports/${ids.export}`,
    createdAt: at.now,
    rows: 5230,
    bytes: 812345,
    finishedAt: '2026-11-20T10:00:09.000Z',
    downloadUrl:
      'https://crm-exports.s3.eu-west-1.amazonaws.com/northwind/01JCX9S3N7X1Z5C9F3J7P1S5W9.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900',
  },
  // What the exports write for the records of the examples (a unit test holds them together):
  // a UTF-8 BOM, CRLF, the import's columns, a phone quoted against spreadsheet formulas.
  contactsCsv:
    '\uFEFFfirstName,lastName,email,phone,company,title,country,city,tags,lifecycleStage,marketingStatus,owner,id,createdAt,updatedAt\r\n' +
    `Ana,Ruiz,ana.ruiz@northwind-traders.example,'+34 612 345 678,northwind-traders.example,Head of Purchasing,ES,Valencia,decision-maker;newsletter,customer,subscribed,${users.rep.email},${ids.contact},${at.created},${at.updated}\r\n`,
  contactsVcard:
    `BEGIN:VCARD\r\nVERSION:4.0\r\nUID;VALUE=text:${ids.contact}\r\nFN:Ana Ruiz\r\nN:Ruiz;Ana;;;\r\n` +
    'EMAIL;TYPE=work:ana.ruiz@northwind-traders.example\r\nTEL;VALUE=text;TYPE=work:+34 612 345 678\r\n' +
    'ORG:Northwind Traders\r\nTITLE:Head of Purchasing\r\nADR;TYPE=work:;;;Valencia;;;ES\r\n' +
    'CATEGORIES:decision-maker,newsletter\r\nREV:20261118T164003Z\r\nEND:VCARD\r\n',
  companiesCsv:
    '\uFEFFname,domain,industry,size,country,city,phone,website,tags,owner,id,createdAt,updatedAt\r\n' +
    `Northwind Traders,northwind-traders.example,Food distribution,240,ES,Valencia,'+34 961 234 567,https://northwind-traders.example,wholesale;key-account,${users.rep.email},${ids.company},${at.created},${at.updated}\r\n`,
  leadsCsv:
    '\uFEFFfirstName,lastName,email,companyName,phone,source,owner,country,id,createdAt,updatedAt\r\n' +
    `Pablo,Serrano,pablo.serrano@brightlane.example,Brightlane Logistics,'+34 699 112 233,web,${users.rep.email},ES,${ids.lead},${at.created},${at.updated}\r\n`,
  leadsVcard:
    `BEGIN:VCARD\r\nVERSION:4.0\r\nUID;VALUE=text:${ids.lead}\r\nFN:Pablo Serrano\r\nN:Serrano;Pablo;;;\r\n` +
    'EMAIL;TYPE=work:pablo.serrano@brightlane.example\r\nTEL;VALUE=text;TYPE=work:+34 699 112 233\r\n' +
    'ORG:Brightlane Logistics\r\nADR;TYPE=work:;;;;;;ES\r\nREV:20261118T164003Z\r\nEND:VCARD\r\n',
  dealsCsv:
    '\uFEFFname,externalId,amount,currency,pipeline,stage,lostReason,company,contacts,expectedCloseDate,owner,source,country,id,createdAt,updatedAt\r\n' +
    `Northwind Traders: 2027 supply renewal,,42000,EUR,New business,Proposal,,northwind-traders.example,ana.ruiz@northwind-traders.example,2026-12-15,${users.rep.email},referral,ES,${ids.deal},${at.created},${at.updated}\r\n`,
};

export const sharedListExamples = {
  contacts: [
    {
      firstName: 'Ana',
      lastName: 'Ruiz',
      email: 'ana.ruiz@northwind-traders.example',
      phone: '+34 612 345 678',
      company: 'Northwind Traders',
      title: 'Head of Purchasing',
      city: 'Valencia',
      country: 'ES',
      tags: ['decision-maker', 'newsletter'],
    },
  ],
  csv:
    '\uFEFFfirstName,lastName,email,phone,company,title,city,country,tags\r\n' +
    "Ana,Ruiz,ana.ruiz@northwind-traders.example,'+34 612 345 678,Northwind Traders,Head of Purchasing,Valencia,ES,decision-maker;newsletter\r\n",
  vcard:
    'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana Ruiz\r\nN:Ruiz;Ana;;;\r\nEMAIL;TYPE=work:ana.ruiz@northwind-traders.example\r\n' +
    'TEL;VALUE=text;TYPE=work:+34 612 345 678\r\nORG:Northwind Traders\r\nTITLE:Head of Purchasing\r\n' +
    'ADR;TYPE=work:;;;Valencia;;;ES\r\nCATEGORIES:decision-maker,newsletter\r\nEND:VCARD\r\n',
  preparing: {
    status: 'preparing',
    retryAfterSeconds: 10,
    detail: 'The list is being written; ask again in 10 seconds',
  },
  downloadUrl:
    'https://crm-exports.s3.eu-west-1.amazonaws.com/northwind/shares/01JCS6P0J4T8W2Z6C0F4K8P2S6.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900',
};
