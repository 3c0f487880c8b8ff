import { describe, expect, it } from 'vitest';
import { collectWithin, type ExportProgress, STREAM_LIMITS } from '../../shared/http/exports.ts';

/**
 * The choice between answering an export in the response and queuing a job:
 * pages are kept while the rows and bytes stay within the limits, and the
 * reading stops at the first page past them.
 */
function pages(progress: ExportProgress, sizes: readonly { rows: number; text: string }[]) {
  const pulled = { count: 0, finished: false };
  async function* generate() {
    try {
      for (const size of sizes) {
        pulled.count++;
        progress.rows += size.rows;
        progress.bytes += Buffer.byteLength(size.text);
        yield size.text;
      }
    } finally {
      pulled.finished = true;
    }
  }
  return { pieces: generate(), pulled };
}

describe('streaming an export or not', () => {
  it('keeps a list up to the limits exactly', async () => {
    const progress = { rows: 0, bytes: 0 };
    const { pieces, pulled } = pages(progress, [
      { rows: 0, text: 'header\n' },
      { rows: 2, text: 'a\nb\n' },
      { rows: 1, text: 'c\n' },
    ]);
    expect(await collectWithin(pieces, progress, { rows: 3, bytes: 100, ms: 60_000 })).toBe(
      'header\na\nb\nc\n',
    );
    expect(pulled).toEqual({ count: 3, finished: true });
  });

  it('stops at the first page past the rows, reading nothing further', async () => {
    const progress = { rows: 0, bytes: 0 };
    const { pieces, pulled } = pages(progress, [
      { rows: 0, text: 'h\n' },
      { rows: 2, text: 'a\nb\n' },
      { rows: 2, text: 'c\nd\n' },
      { rows: 2, text: 'e\nf\n' },
    ]);
    expect(await collectWithin(pieces, progress, { rows: 3, bytes: 100, ms: 60_000 })).toBeUndefined();
    expect(pulled).toEqual({ count: 3, finished: true });
  });

  it('counts bytes as the response carries them, escaped (a quote takes two)', async () => {
    const progress = { rows: 0, bytes: 0 };
    const { pieces } = pages(progress, [{ rows: 1, text: '"'.repeat(60) }]);
    expect(await collectWithin(pieces, progress, { rows: 1000, bytes: 100, ms: 60_000 })).toBeUndefined();
  });

  it('stops past the bytes whatever the rows (records with large custom fields)', async () => {
    const progress = { rows: 0, bytes: 0 };
    const big = 'é'.repeat(30);
    const { pieces, pulled } = pages(progress, [
      { rows: 1, text: big },
      { rows: 1, text: big },
      { rows: 1, text: big },
    ]);
    // 60 bytes per page: the second passes 100.
    expect(await collectWithin(pieces, progress, { rows: 1000, bytes: 100, ms: 60_000 })).toBeUndefined();
    expect(pulled).toEqual({ count: 2, finished: true });
  });

  it('gives up when reading takes too long (a sparse filter over a large tenant)', async () => {
    const progress = { rows: 0, bytes: 0 };
    const { pieces, pulled } = pages(progress, [
      { rows: 0, text: 'h\n' },
      { rows: 0, text: '' },
      { rows: 1, text: 'a\n' },
    ]);
    let clock = 0;
    // Each page read takes 10 s of the clock; the limit is 15 s.
    const now = () => {
      clock += 10_000;
      return clock;
    };
    expect(
      await collectWithin(pieces, progress, { rows: 1000, bytes: 1000, ms: 15_000 }, now),
    ).toBeUndefined();
    expect(pulled.finished).toBe(true);
  });

  it('answers in the response within API Gateway’s 6 MB and 29 s', () => {
    expect(STREAM_LIMITS.bytes).toBeLessThan(6 * 1024 * 1024);
    expect(STREAM_LIMITS.ms).toBeLessThan(29_000 / 2);
    expect(STREAM_LIMITS.rows).toBe(1000);
  });
});
