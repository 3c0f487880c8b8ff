import { type CsvDelimiter, csvDelimiters } from './entities.ts';

/** How many non-blank rows (header included) delimiter detection compares. */
const SAMPLE_ROWS = 20;

/**
 * Per row of `text` (the file's decoded start), how many times each candidate
 * delimiter occurs outside quotes. Rows end at CR, LF or CRLF outside quotes,
 * so a quoted cell with line breaks stays in its row; blank rows are left out;
 * the last row is left out unless the text is the whole file (it may be cut).
 */
function delimiterCounts(text: string, wholeFile: boolean): number[][] {
  const rows: number[][] = [];
  let counts = csvDelimiters.map(() => 0);
  let quoted = false;
  let blank = true;
  const endRow = () => {
    if (!blank) rows.push(counts);
    counts = csvDelimiters.map(() => 0);
    blank = true;
  };
  for (let index = 0; index < text.length && rows.length < SAMPLE_ROWS; index++) {
    const char = text[index] as string;
    if (char === '"') {
      quoted = !quoted;
      blank = false;
    } else if (quoted) {
      // Inside quotes: delimiters and line breaks are cell text.
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      endRow();
    } else {
      const which = csvDelimiters.indexOf(char as CsvDelimiter);
      if (which >= 0) counts[which] = (counts[which] as number) + 1;
      if (char.trim() !== '') blank = false;
    }
  }
  if (wholeFile && rows.length < SAMPLE_ROWS) endRow();
  return rows;
}

/**
 * The delimiter of a CSV file from its start: among `,` `;` and tab, the one
 * found in the header row whose count the most later rows repeat (a row with
 * one more, empty, trailing cell counts as repeating it); ties go to the
 * header's larger count, then to the order `,` `;` tab. A header without any
 * candidate is a one-column file, read with `,`.
 */
export function detectDelimiter(text: string, wholeFile: boolean): CsvDelimiter {
  const rows = delimiterCounts(text, wholeFile);
  const header = rows[0];
  if (!header) return ',';
  let best: { delimiter: CsvDelimiter; consistent: number; columns: number } | undefined;
  csvDelimiters.forEach((delimiter, which) => {
    const columns = header[which] as number;
    if (columns === 0) return;
    const consistent = rows
      .slice(1)
      .filter((row) => row[which] === columns || row[which] === columns + 1).length;
    if (!best || consistent > best.consistent || (consistent === best.consistent && columns > best.columns))
      best = { delimiter, consistent, columns };
  });
  return best?.delimiter ?? ',';
}
