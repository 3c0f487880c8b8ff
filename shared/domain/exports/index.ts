export * from './cells.ts';
export * from './csv.ts';
export * from './document.ts';
export * from './people.ts';
export * from './shared-list.ts';
export * from './vcard.ts';
