/**
 * The event an SES receipt rule's Lambda action sends (invocation type
 * `Event`), which the local SMTP listener imitates: one record per received
 * message, with the SMTP envelope (the sender of MAIL FROM and the
 * recipients of RCPT TO that the rule matched) and SES's verdicts. The
 * message itself is the object the rule's S3 action stored before it, under
 * INBOUND_MAIL_PREFIX + the SES message id.
 * https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html
 */
export const INBOUND_MAIL_PREFIX = 'inbound/';

export interface ReceivedMail {
  /** SES's message id: the object's name under INBOUND_MAIL_PREFIX. */
  readonly messageId: string;
  /** The envelope sender (MAIL FROM); empty for the null sender of bounces. */
  readonly envelopeFrom: string;
  /** The envelope recipients the rule matched: the only place a Bcc to the logging address shows. */
  readonly recipients: readonly string[];
  /** A verdict of FAIL from SES's spam or virus scan. */
  readonly rejectedBy?: 'spam' | 'virus';
}

export type ReceiptParse =
  | { readonly ok: true; readonly mails: readonly ReceivedMail[] }
  | { readonly ok: false; readonly reason: string };

const MESSAGE_ID = /^[A-Za-z0-9._+=-]{1,200}$/;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const failed = (verdict: unknown) => (verdict as { status?: unknown } | undefined)?.status === 'FAIL';

/** The received messages of an SES receipt event; not ok when it is not one. */
export function parseReceiptEvent(input: unknown): ReceiptParse {
  const records = (input as { Records?: unknown } | null | undefined)?.Records;
  if (!Array.isArray(records) || records.length === 0) return { ok: false, reason: 'no Records' };
  const mails: ReceivedMail[] = [];
  for (const record of records as { eventSource?: unknown; ses?: { mail?: unknown; receipt?: unknown } }[]) {
    if (record?.eventSource !== 'aws:ses') return { ok: false, reason: 'not an SES receipt record' };
    const mail = (record.ses?.mail ?? {}) as { messageId?: unknown; source?: unknown };
    const receipt = (record.ses?.receipt ?? {}) as {
      recipients?: unknown;
      spamVerdict?: unknown;
      virusVerdict?: unknown;
    };
    if (typeof mail.messageId !== 'string' || !MESSAGE_ID.test(mail.messageId))
      return { ok: false, reason: 'no usable messageId' };
    const rejectedBy = failed(receipt.virusVerdict)
      ? 'virus'
      : failed(receipt.spamVerdict)
        ? 'spam'
        : undefined;
    mails.push({
      messageId: mail.messageId,
      envelopeFrom: typeof mail.source === 'string' ? mail.source : '',
      recipients: strings(receipt.recipients),
      ...(rejectedBy ? { rejectedBy } : {}),
    });
  }
  return { ok: true, mails };
}

/** The receipt event for one message, as SES sends it (the parts parseReceiptEvent reads, and a few more). */
export function receiptEvent(mail: {
  readonly messageId: string;
  readonly envelopeFrom: string;
  readonly recipients: readonly string[];
  readonly at: Date;
}): { Records: unknown[] } {
  const timestamp = mail.at.toISOString();
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp,
            source: mail.envelopeFrom,
            messageId: mail.messageId,
            destination: [...mail.recipients],
          },
          receipt: {
            timestamp,
            recipients: [...mail.recipients],
            action: { type: 'Lambda', invocationType: 'Event' },
          },
        },
      },
    ],
  };
}
