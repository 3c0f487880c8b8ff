/**
 * The seed's progress: one line redrawn in place on a terminal
 * (`[██████░░░░] 60%  1,234/2,050  deals`), or a line per tenth of the work
 * when the output is a file or a pipe. Written here rather than taken from a
 * progress-bar package: a dozen lines, and nothing added to the dependency
 * tree for a command only developers run.
 */
export interface Progress {
  tick(label: string): void;
  /** Ends the line; `message` follows on its own line. */
  done(message?: string): void;
}

const WIDTH = 28;
const REDRAW_MS = 80;

export function progressLine(total: number, out: NodeJS.WriteStream = process.stderr): Progress {
  let count = 0;
  let drawnAt = 0;
  let lastTenth = -1;
  const tty = out.isTTY === true;
  const draw = (label: string) => {
    const share = total > 0 ? Math.min(1, count / total) : 1;
    const filled = Math.round(share * WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    return `[${bar}] ${String(Math.floor(share * 100)).padStart(3)}%  ${count.toLocaleString('en')}/${total.toLocaleString('en')}  ${label}`;
  };
  return {
    tick(label) {
      count++;
      if (tty) {
        const now = Date.now();
        if (now - drawnAt < REDRAW_MS && count < total) return;
        drawnAt = now;
        out.write(`\r${draw(label).padEnd(80)}`);
        return;
      }
      const tenth = Math.floor((count / Math.max(1, total)) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        out.write(`${draw(label)}\n`);
      }
    },
    done(message) {
      if (tty) out.write(`\r${draw('done').padEnd(80)}\n`);
      if (message) out.write(`${message}\n`);
    },
  };
}

/** Progress that shows nothing (tests). */
export const silentProgress = (): Progress => ({ tick: () => undefined, done: () => undefined });
