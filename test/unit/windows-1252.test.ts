import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeWindows1252 } from '../../shared/domain/windows-1252.ts';

describe('decodeWindows1252', () => {
  it('decodes every byte as iconv-lite does (Microsoft CP1252, undefined bytes as U+FFFD)', () => {
    const every = Uint8Array.from({ length: 256 }, (_, byte) => byte);
    expect(decodeWindows1252(every)).toBe(iconv.decode(Buffer.from(every), 'windows-1252'));
    expect(decodeWindows1252(Uint8Array.of(0x80, 0x8a, 0x9f, 0xe9))).toBe('€ŠŸé');
  });

  it('decodes a view into a larger buffer by its own bytes only', () => {
    const bytes = Uint8Array.of(0x41, 0x80, 0x42, 0x43);
    expect(decodeWindows1252(bytes.subarray(1, 3))).toBe('€B');
  });
});
