/** The parts of the `vcf` package (no bundled types) the export tests read vCards back with. */
declare module 'vcf' {
  interface Property {
    valueOf(): unknown;
  }
  interface Card {
    readonly version: string;
    get(key: string): Property;
  }
  const vCard: { parse(text: string): Card[] };
  export default vCard;
}
