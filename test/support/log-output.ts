import { type Mock, vi } from 'vitest';

/**
 * Captures what the functions' logger writes, one call per line, and keeps it
 * off the test output. Powertools writes through its own Console on
 * process.stdout and process.stderr (not the global console), so the capture
 * sits on those streams. Undone by vi.restoreAllMocks().
 */
export function logOutput(): Mock<(line: string) => void> {
  const line = vi.fn<(line: string) => void>();
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      line(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
  return line;
}
