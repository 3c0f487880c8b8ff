/**
 * Email through SES v2: transactional (reminders, alerts) and marketing
 * (campaigns, sequence steps). Locally the SDK's
 * AWS_ENDPOINT_URL_SESV2 points at aws-ses-v2-local, whose inbox shows the mail.
 */
export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** The sender address; default MAIL_FROM. */
  readonly from?: string;
  /** Shown with the address: `"Acme Sales" <sales@acme.example>`. */
  readonly fromName?: string;
  readonly replyTo?: string;
  /** Extra message headers, e.g. List-Unsubscribe. */
  readonly headers?: Readonly<Record<string, string>>;
  /** SES message tags, e.g. `{ kind: 'reminder', tenant: 't1' }`; SES events carry them back. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface Mailer {
  /** Sends one email and returns the SES message id. */
  send(email: OutgoingEmail): Promise<string>;
}
