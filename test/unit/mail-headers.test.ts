import type { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { displayNamePhrase, encodedWords, headerText, mailbox } from '../../shared/mail/headers.ts';
import { sesMailer } from '../../shared/mail/ses-mailer.ts';

/** RFC 2047 decoding of "B" encoded-words in UTF-8, dropping the space between adjacent ones (§6.2). */
const decode = (phrase: string) =>
  phrase
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/g, (_word, base64: string) =>
      Buffer.from(base64, 'base64').toString('utf8'),
    );

describe('display names', () => {
  it('encodes non-ASCII names as RFC 2047 encoded-words that decode to the name', () => {
    const name = 'Álvarez Logística, S.L.';
    const phrase = displayNamePhrase(name);
    expect(phrase).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=( =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)*$/);
    expect(decode(phrase)).toBe(name);
    expect(mailbox('sales@acme.example', name)).toBe(`${phrase} <sales@acme.example>`);
  });

  it('splits long names into words of at most 75 characters, never inside a character', () => {
    const name = `${'Ñandú 日本 😀 '.repeat(12)}end`;
    const words = encodedWords(name).split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      const bytes = Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(word)?.[1] ?? '', 'base64');
      expect(bytes.toString('utf8')).not.toContain('\uFFFD');
    }
    expect(decode(encodedWords(name))).toBe(name);
  });

  it('quotes ASCII names so that specials stay part of the name (RFC 5322 quoted-string)', () => {
    expect(displayNamePhrase('Acme, Inc.')).toBe('"Acme, Inc."');
    expect(displayNamePhrase('A "quoted" \\ <name>')).toBe('"A \\"quoted\\" \\\\ <name>"');
  });

  it('makes header injection impossible: line breaks and control characters become spaces', () => {
    expect(headerText('Hi\r\nBcc: victim@example.com')).toBe('Hi Bcc: victim@example.com');
    expect(mailbox('a@b.example', 'Eve\r\nBcc: x@y.example')).toBe('"Eve Bcc: x@y.example" <a@b.example>');
    expect(mailbox('a@b.example', ' \n ')).toBe('a@b.example');
  });

  it('writes IDN address domains in ASCII, as SES requires', () => {
    expect(mailbox('Lucia@Müller.example')).toBe('Lucia@xn--mller-kva.example');
  });
});

describe('the SES mailer builds every header through them', () => {
  it('sends an encoded From, ASCII addresses and a one-line subject', async () => {
    const sent: SendEmailCommand['input'][] = [];
    const client = {
      send: async (command: SendEmailCommand) => {
        sent.push(command.input);
        return { MessageId: 'm-1' };
      },
    } as unknown as SESv2Client;
    await sesMailer({ client }).send({
      to: 'lucia@müller.example',
      from: 'ventas@álvarez.example',
      fromName: 'Álvarez Logística, S.L.',
      replyTo: 'rep@müller.example',
      subject: 'Oferta de otoño\r\nBcc: victim@example.com',
      text: 'hola',
      headers: { 'List-Unsubscribe': '<https://x.example/u/t>\r\nX-Injected: 1' },
    });
    const input = sent[0];
    expect(input?.FromEmailAddress).toBe(
      `${displayNamePhrase('Álvarez Logística, S.L.')} <ventas@xn--lvarez-ota.example>`,
    );
    expect(decode(input?.FromEmailAddress ?? '')).toBe(
      'Álvarez Logística, S.L. <ventas@xn--lvarez-ota.example>',
    );
    expect(input?.Destination?.ToAddresses).toEqual(['lucia@xn--mller-kva.example']);
    expect(input?.ReplyToAddresses).toEqual(['rep@xn--mller-kva.example']);
    expect(input?.Content?.Simple?.Subject).toEqual({
      Data: 'Oferta de otoño Bcc: victim@example.com',
      Charset: 'UTF-8',
    });
    expect(input?.Content?.Simple?.Headers).toEqual([
      { Name: 'List-Unsubscribe', Value: '<https://x.example/u/t> X-Injected: 1' },
      // Ours: inbound email never logs a copy of it (shared/domain/inbound-email.ts).
      { Name: 'X-CRM-Mail', Value: 'crm' },
    ]);
  });
});
