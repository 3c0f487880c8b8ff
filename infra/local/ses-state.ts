import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Email, getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';

/**
 * What the local SES keeps across restarts, as SES does: the mail it accepted
 * (the inbox), which claim each message was sent under (the evidence a
 * restarted sender settles open claims with, see shared/mail/sent-ledger.ts),
 * and the events it has yet to publish. One line per accepted message (its
 * stored copy, claim and events) is appended before SES answers the send, so
 * an answered send is never forgotten and its events never lost; a second
 * file lists the messages whose events were handled. On start the mail is
 * restored and the rest of the events replayed. Without a directory
 * everything lives in memory only (tests with an in-memory runtime).
 */
export const SES_MAIL_FILE = 'ses-mail.jsonl';
export const SES_EVENTS_HANDLED_FILE = 'ses-events-handled.jsonl';

interface MailLine<E> {
  readonly messageId: string;
  readonly claim?: string;
  readonly email?: Email;
  readonly events?: E[];
}

export class SesState<E> {
  /** Claim id → SES message id. */
  private readonly claims = new Map<string, string>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string | undefined) {}

  /**
   * Loads the mail into the SES emulator's store and the claim ledger, and
   * returns the messages whose events were not all handled, oldest first.
   */
  async load(): Promise<{ key: string; events: E[] }[]> {
    if (!this.dir) return [];
    await mkdir(this.dir, { recursive: true });
    const store = getStoreReadonly();
    const known = new Set(store.emails.map((email) => email.messageId));
    const handled = new Set(
      (await readLines<{ handled: string }>(join(this.dir, SES_EVENTS_HANDLED_FILE))).map(
        (line) => line.handled,
      ),
    );
    const pending: { key: string; events: E[] }[] = [];
    for (const line of await readLines<MailLine<E>>(join(this.dir, SES_MAIL_FILE))) {
      if (line.claim) this.claims.set(line.claim, line.messageId);
      if (line.email && !known.has(line.messageId)) {
        store.emails.push(line.email);
        known.add(line.messageId);
      }
      if (line.events?.length && !handled.has(line.messageId))
        pending.push({ key: line.messageId, events: line.events });
    }
    return pending;
  }

  /** The SES message id sent under a claim, if SES accepted one. */
  messageFor(claim: string): string | undefined {
    return this.claims.get(claim);
  }

  /**
   * Records an accepted message (with the emulator's stored copy) and the
   * events it will publish, in one line; resolves once it is written.
   */
  async sent(messageId: string, claim: string | undefined, events: E[]): Promise<void> {
    if (claim) this.claims.set(claim, messageId);
    if (!this.dir) return;
    const email = this.storedEmail(messageId);
    const line: MailLine<E> = { messageId, ...(claim ? { claim } : {}), ...(email ? { email } : {}), events };
    await this.append(SES_MAIL_FILE, line);
  }

  /** The emulator's stored copy of a message, searched from the newest (a message just sent is at the end). */
  storedEmail(messageId: string): Email | undefined {
    const { emails } = getStoreReadonly();
    for (let index = emails.length - 1; index >= 0; index--)
      if (emails[index]?.messageId === messageId) return emails[index];
    return undefined;
  }

  /** Every event of the message was handled (or given up on): not replayed again. */
  handled(messageId: string): Promise<void> {
    return this.append(SES_EVENTS_HANDLED_FILE, { handled: messageId });
  }

  /**
   * The inbox was cleared (POST /clear-store): so are the stored copies. What
   * SES accepted under which claim, and the events still to publish, stay:
   * clearing an inbox does not unsend mail.
   */
  async cleared(): Promise<void> {
    const dir = this.dir;
    if (!dir) return;
    const file = join(dir, SES_MAIL_FILE);
    await this.serially(async () => {
      const kept = (await readLines<MailLine<E>>(file)).map(({ email: _email, ...rest }) => rest);
      await writeFile(`${file}.tmp`, kept.map((line) => `${JSON.stringify(line)}\n`).join(''));
      await rename(`${file}.tmp`, file);
    });
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
