export * from './cells.ts';
export * from './csv.ts';
export * from './document.ts';
export * from './people.ts';
export * from './vcard.ts';
