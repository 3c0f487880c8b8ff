/**
 * The README's "What it costs" bill, kept between two markers so that `npm run cost -- --readme`
 * replaces it with a fresh run and nothing else in the file changes.
 */
export const README_START = '<!-- cost:reference-bill (npm run cost -- --readme) -->';
export const README_END = '<!-- /cost:reference-bill -->';

/** `readme` with the text between the markers replaced by `bill` in a code block; throws without the markers. */
export function spliceBill(readme: string, bill: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start)
    throw new Error(`README.md lacks the markers ${README_START} … ${README_END}`);
  const block = `${README_START}\n\n\`\`\`text\n${bill.trimEnd()}\n\`\`\`\n\n`;
  return `${readme.slice(0, start)}${block}${readme.slice(end)}`;
}
