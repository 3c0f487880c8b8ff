/**
 * Transactional email (reminders, alerts) through SES v2. Locally the SDK's
 * AWS_ENDPOINT_URL_SESV2 points at aws-ses-v2-local, whose inbox shows the mail.
 */
export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** SES message tags, e.g. `{ kind: 'reminder', tenant: 't1' }`. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface Mailer {
  /** Sends one email and returns the SES message id. */
  send(email: OutgoingEmail): Promise<string>;
}
