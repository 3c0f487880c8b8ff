import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Email, getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';

/**
 * What the local SES keeps across restarts, as SES does: the mail it accepted
 * (the inbox), which claim each message was sent under (the evidence a
 * restarted sender settles open claims with, see shared/mail/sent-ledger.ts),
 * and the events it has yet to publish. Append-only JSONL files under the
 * data dir, written before SES answers the send, so an email whose send was
 * answered is never forgotten, and replayed on start. Without a directory
 * everything lives in memory only (tests with an in-memory runtime).
 */
export const SES_MAIL_FILE = 'ses-mail.jsonl';
export const SES_PENDING_EVENTS_FILE = 'ses-events-pending.jsonl';

interface MailLine {
  readonly messageId: string;
  readonly claim?: string;
  readonly email?: Email;
}

type EventLine<E> = { readonly published: string; readonly events: E[] } | { readonly handled: string };

export class SesState<E> {
  /** Claim id → SES message id. */
  private readonly claims = new Map<string, string>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string | undefined) {}

  /**
   * Loads the mail into the SES emulator's store and the claim ledger, and
   * returns the event sets not yet handled, oldest first (the journal is
   * rewritten to hold only those).
   */
  async load(): Promise<{ key: string; events: E[] }[]> {
    if (!this.dir) return [];
    await mkdir(this.dir, { recursive: true });
    const store = getStoreReadonly();
    const known = new Set(store.emails.map((email) => email.messageId));
    for (const line of await readLines<MailLine>(join(this.dir, SES_MAIL_FILE))) {
      if (line.claim) this.claims.set(line.claim, line.messageId);
      if (line.email && !known.has(line.messageId)) {
        store.emails.push(line.email);
        known.add(line.messageId);
      }
    }
    const pending = new Map<string, E[]>();
    for (const line of await readLines<EventLine<E>>(join(this.dir, SES_PENDING_EVENTS_FILE))) {
      if ('published' in line) pending.set(line.published, line.events);
      else pending.delete(line.handled);
    }
    const left = [...pending].map(([key, events]) => ({ key, events }));
    const file = join(this.dir, SES_PENDING_EVENTS_FILE);
    const content = left.map(({ key, events }) => `${JSON.stringify({ published: key, events })}\n`).join('');
    await writeFile(`${file}.tmp`, content);
    await rename(`${file}.tmp`, file);
    return left;
  }

  /** The SES message id sent under a claim, if SES accepted one. */
  messageFor(claim: string): string | undefined {
    return this.claims.get(claim);
  }

  /** Records an accepted message (with the emulator's stored copy); resolves once it is on disk. */
  async sent(messageId: string, claim: string | undefined): Promise<void> {
    if (claim) this.claims.set(claim, messageId);
    const email = [...getStoreReadonly().emails].reverse().find((stored) => stored.messageId === messageId);
    await this.append(SES_MAIL_FILE, { messageId, ...(claim ? { claim } : {}), ...(email ? { email } : {}) });
  }

  published(key: string, events: E[]): Promise<void> {
    return this.append(SES_PENDING_EVENTS_FILE, { published: key, events });
  }

  handled(key: string): Promise<void> {
    return this.append(SES_PENDING_EVENTS_FILE, { handled: key });
  }

  /** The inbox was cleared (POST /clear-store): so is its copy. */
  async cleared(): Promise<void> {
    this.claims.clear();
    const dir = this.dir;
    if (!dir) return;
    await this.serially(() => writeFile(join(dir, SES_MAIL_FILE), ''));
  }

  private async append(file: string, line: object): Promise<void> {
    const dir = this.dir;
    if (!dir) return;
    await this.serially(() => appendFile(join(dir, file), `${JSON.stringify(line)}\n`));
  }

  /** Writes one at a time, so lines never interleave and a clear never races an append. */
  private serially(write: () => Promise<void>): Promise<void> {
    const next = this.writing.then(write);
    this.writing = next.catch(() => undefined);
    return next;
  }
}

async function readLines<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const lines: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line) as T);
    } catch {
      // A line cut short by a crash mid-write: the rest still counts.
    }
  }
  return lines;
}
