/**
 * Size bounds for items derived from record content (timeline entries,
 * notifications). A record may hold up to DynamoDB's 400 KB item limit, and a
 * derived item can carry parts of two of them (a change's old and new
 * values), so derived items keep large values only as a short summary: one
 * record's size never makes another item unwritable.
 */

/** Largest JSON size (UTF-8 bytes) kept whole for one value of a derived item. */
export const MAX_VALUE_BYTES = 2048;
/** Largest JSON size (UTF-8 bytes) of a whole derived entry; well under the 400 KB item limit. */
export const MAX_ENTRY_BYTES = 32 * 1024;
/** Values are never cut below this many bytes of preview. */
const MIN_PREVIEW_BYTES = 64;

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

/** `text` cut to at most `maxBytes` UTF-8 bytes, never inside a character. */
function cutToBytes(text: string, maxBytes: number): string {
  if (bytesOf(text) <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && bytesOf(text.slice(0, end)) > maxBytes) end--;
  // A lone high surrogate at the end would not be valid UTF-8.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

const sizeLabel = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;

/**
 * Text cut to `maxChars` characters (code points), with `…` when cut.
 * For short human lines: titles, summaries.
 */
export function boundedText(text: string, maxChars: number): string {
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/**
 * A value as stored in a derived item: itself when its JSON takes at most
 * `maxBytes`, else a string: the start of the value (a string's text, any
 * other value's JSON) followed by `… (<size> in all)`.
 * Returns whether it was summarised.
 */
export function boundedValue(
  value: unknown,
  maxBytes = MAX_VALUE_BYTES,
): { value: unknown; summarised: boolean } {
  const json = JSON.stringify(value) ?? 'null';
  const size = bytesOf(json);
  if (size <= maxBytes) return { value, summarised: false };
  const text = typeof value === 'string' ? value : json;
  const suffix = `… (${sizeLabel(typeof value === 'string' ? bytesOf(value) : size)} in all)`;
  const preview = cutToBytes(text, Math.max(MIN_PREVIEW_BYTES, maxBytes - bytesOf(suffix) - 2));
  return { value: `${preview}${suffix}`, summarised: true };
}

interface Change {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly summarised?: boolean;
}

interface Entry {
  readonly summary?: string;
  readonly changes?: readonly Change[];
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Longest `summary` line kept on a derived entry (a comment's text, a record's name). */
export const MAX_SUMMARY_CHARS = 1000;

/**
 * A timeline entry whose values fit: each changed field's old and new value
 * and each `data` value within MAX_VALUE_BYTES (halved until the whole entry
 * fits MAX_ENTRY_BYTES), the summary within MAX_SUMMARY_CHARS. A summarised
 * change says so (`summarised: true`). Entries that fit are returned as they are.
 */
export function boundedEntry<T extends Entry>(entry: T): T {
  if (bytesOf(JSON.stringify(entry)) <= MAX_ENTRY_BYTES) return entry;
  let budget = MAX_VALUE_BYTES;
  for (;;) {
    const bounded = shrink(entry, budget);
    if (budget <= MIN_PREVIEW_BYTES || bytesOf(JSON.stringify(bounded)) <= MAX_ENTRY_BYTES) return bounded;
    budget = Math.max(MIN_PREVIEW_BYTES, Math.floor(budget / 2));
  }
}

function shrink<T extends Entry>(entry: T, budget: number): T {
  const changes = entry.changes?.map((change) => {
    const from = boundedValue(change.from, budget);
    const to = boundedValue(change.to, budget);
    return from.summarised || to.summarised
      ? { ...change, from: from.value, to: to.value, summarised: true }
      : change;
  });
  const data = entry.data
    ? Object.fromEntries(
        Object.entries(entry.data).map(([key, value]) => [key, boundedValue(value, budget).value]),
      )
    : undefined;
  return {
    ...entry,
    ...(entry.summary === undefined ? {} : { summary: boundedText(entry.summary, MAX_SUMMARY_CHARS) }),
    ...(changes ? { changes } : {}),
    ...(data ? { data } : {}),
  };
}
