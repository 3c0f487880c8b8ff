import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * `npm start` runs `sh -c "node --import tsx infra/local/main.ts"` (one process: the
 * tsx CLI's extra parent process would relay Ctrl-C to us and SIGKILL us if we took over
 * 30 ms to acknowledge it, which a busy machine does). A SIGKILL sent to npm alone
 * reaches neither the shell's child nor us, which would leave the API and Java running.
 * So we watch our parent and grandparent and shut down as soon as one of them is gone.
 */
export function onLauncherExit(callback: () => void, intervalMs = 1000): void {
  const parent = process.ppid;
  const watched = [parent, parentOf(parent)].filter((pid): pid is number => pid !== undefined && pid > 1);
  if (watched.length === 0) return;
  const timer = setInterval(() => {
    if (watched.every(isAlive)) return;
    clearInterval(timer);
    callback();
  }, intervalMs);
  timer.unref();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // Linux: the 4th field of /proc/<pid>/stat (after the parenthesised command name).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      return (
        Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim()) ||
        undefined
      );
    } catch {
      return undefined;
    }
  }
}
