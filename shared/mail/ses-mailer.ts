import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { config } from '../config.ts';
import { SES_CALL_TIMEOUT_MS } from '../domain/delivery.ts';
import { OWN_MAIL_HEADER } from '../domain/inbound-email.ts';
import { headerText, mailbox } from './headers.ts';
import type { Mailer, OutgoingEmail } from './mailer.ts';

/** The sender under `npm start`; in AWS, MAIL_FROM names a verified SES identity. */
export const DEFAULT_MAIL_FROM = 'crm@localhost.test';

/** SES tag names and values allow only `[A-Za-z0-9_-]`, 1 to 256 characters. */
export const sesTagPart = (value: string): string =>
  value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_';

export interface SesMailerOptions {
  readonly client?: SESv2Client;
  /** Default: MAIL_FROM, else DEFAULT_MAIL_FROM. */
  readonly from?: string;
  /** Default: SES_CONFIGURATION_SET, if set (its events go to EventBridge). */
  readonly configurationSet?: string;
  /**
   * One attempt per send, ended after SES_CALL_TIMEOUT_MS: SendEmail is not
   * idempotent (an SDK retry after a timeout can send twice), and a claimed
   * delivery's window of possible sends must be bounded. Callers retry
   * throttling themselves.
   */
  readonly boundedCalls?: boolean;
}

let defaultClient: SESv2Client | undefined;
let boundedClient: SESv2Client | undefined;

/**
 * The Mailer through SES v2 `SendEmail` with simple content. Locally the SDK's
 * AWS_ENDPOINT_URL_SESV2 points at aws-ses-v2-local. Errors are SES's own
 * (e.g. `TooManyRequestsException`), so callers can tell a throttle from a
 * rejected message.
 *
 * Headers are made here for every sender (shared/mail/headers.ts): the From
 * display name quoted or RFC 2047-encoded (SES passes FromEmailAddress through
 * as written and requires encoded-words for non-ASCII), addresses with IDNA
 * ASCII domains, and no CR/LF in any header value. Every message carries
 * OWN_MAIL_HEADER, which inbound email reads to never log our own mail. The subject goes as UTF-8
 * text with its charset, which SES encodes itself (RFC 2047) when it builds
 * the message.
 */
export function sesMailer(options: SesMailerOptions = {}): Mailer {
  const client = () => {
    if (options.client) return options.client;
    if (options.boundedCalls) {
      boundedClient ??= new SESv2Client({
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 2_000, requestTimeout: SES_CALL_TIMEOUT_MS },
      });
      return boundedClient;
    }
    defaultClient ??= new SESv2Client({});
    return defaultClient;
  };
  return {
    async send(email: OutgoingEmail): Promise<string> {
      const address = email.from ?? options.from ?? config.mailFrom ?? DEFAULT_MAIL_FROM;
      const from = mailbox(address, email.fromName);
      // Marked as ours, so a copy that reaches a logging address is never logged (inbound-email.ts).
      const headers = Object.entries({ ...email.headers, [OWN_MAIL_HEADER]: email.tags?.kind || 'crm' }).map(
        ([Name, Value]) => ({ Name: headerText(Name), Value: headerText(Value) }),
      );
      const configurationSet = options.configurationSet ?? config.sesConfigurationSet;
      const tags = Object.entries(email.tags ?? {}).map(([name, value]) => ({
        Name: sesTagPart(name),
        Value: sesTagPart(value),
      }));
      const output = await client().send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [mailbox(email.to)] },
          ...(email.replyTo ? { ReplyToAddresses: [mailbox(email.replyTo)] } : {}),
          Content: {
            Simple: {
              Subject: { Data: headerText(email.subject), Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                ...(email.html === undefined ? {} : { Html: { Data: email.html, Charset: 'UTF-8' } }),
              },
              ...(headers.length > 0 ? { Headers: headers } : {}),
            },
          },
          ...(tags.length > 0 ? { EmailTags: tags } : {}),
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        }),
      );
      if (!output.MessageId) throw new Error('SES accepted the email but returned no MessageId');
      return output.MessageId;
    },
  };
}
