/**
 * Absolute URLs in the ASCII form that headers (`Location`,
 * `List-Unsubscribe`) and tracking links need. Kept apart from the HTML side
 * of links (links.ts) so that every HTTP function can use it without bundling
 * an HTML entity decoder.
 */

/**
 * The WHATWG URL serializer's form of `url`: the host punycoded (IDNA),
 * non-ASCII UTF-8 in path, query and fragment percent-encoded, existing `%XX`
 * escapes left as they are (nothing is encoded twice). The same address a
 * browser requests for the original. Undefined for anything that is not an
 * absolute URL.
 */
export function asciiUrl(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/** A base URL (scheme, host, optional path) in ASCII, without trailing slashes; as given if unparseable. */
export const asciiBaseUrl = (base: string): string => (asciiUrl(base) ?? base).replace(/\/+$/, '');
