import { describe, expect, it } from 'vitest';
import {
  activitySubject,
  automaticReason,
  loggingAddress,
  loggingToken,
  type MessageHeaders,
  outboundRecipients,
  personFromSender,
  trimQuotedText,
} from '../../shared/domain/inbound-email.ts';
import { parseReceiptEvent, receiptEvent } from '../../shared/domain/ses-receipt.ts';
import { parseInboundMessage, sanitizeMailHtml } from '../../shared/mail/inbound-message.ts';

const TOKEN = '0123456789abcdef01234567';
const DOMAIN = 'inbound.example.com';

describe('logging addresses', () => {
  it('name a tenant by a token on the inbound domain, in any case', () => {
    const address = loggingAddress(TOKEN, 'Inbound.Example.com');
    expect(address).toBe(`log-${TOKEN}@inbound.example.com`);
    expect(loggingToken(address, DOMAIN)).toBe(TOKEN);
    expect(loggingToken(address.toUpperCase(), DOMAIN)).toBe(TOKEN);
  });

  it('refuse other domains, other local parts and malformed tokens', () => {
    expect(loggingToken(`log-${TOKEN}@other.example.com`, DOMAIN)).toBeUndefined();
    expect(loggingToken(`log-${TOKEN}@sub.inbound.example.com`, DOMAIN)).toBeUndefined();
    expect(loggingToken(`sales@${DOMAIN}`, DOMAIN)).toBeUndefined();
    expect(loggingToken(`log-${TOKEN.slice(1)}@${DOMAIN}`, DOMAIN)).toBeUndefined();
    expect(loggingToken(`log-${TOKEN}x@${DOMAIN}`, DOMAIN)).toBeUndefined();
    expect(loggingToken(`log-../${TOKEN}@${DOMAIN}`, DOMAIN)).toBeUndefined();
  });
});

describe('automatic mail is never logged', () => {
  const person: MessageHeaders = {
    headers: { from: 'Ana <ana@example.com>', subject: 'Hi' },
    from: 'ana@example.com',
    envelopeFrom: 'ana@example.com',
  };
  const withHeaders = (
    headers: Record<string, string>,
    extra: Partial<MessageHeaders> = {},
  ): MessageHeaders => ({
    ...person,
    headers: { ...person.headers, ...headers },
    ...extra,
  });

  it('lets mail a person wrote through, `Auto-Submitted: no` included', () => {
    expect(automaticReason(person)).toBeUndefined();
    expect(automaticReason(withHeaders({ 'auto-submitted': 'No' }))).toBeUndefined();
    expect(automaticReason(withHeaders({ precedence: 'first-class' }))).toBeUndefined();
    expect(automaticReason(withHeaders({ 'content-type': 'multipart/mixed; boundary=x' }))).toBeUndefined();
  });

  it('ignores Auto-Submitted other than no (RFC 3834), with parameters and comments', () => {
    expect(automaticReason(withHeaders({ 'auto-submitted': 'auto-replied' }))).toBe('auto_submitted');
    expect(automaticReason(withHeaders({ 'auto-submitted': 'auto-generated (vacation); x=1' }))).toBe(
      'auto_submitted',
    );
    expect(automaticReason(withHeaders({ 'auto-submitted': 'auto-notified' }))).toBe('auto_submitted');
  });

  it('ignores bounces and reports: multipart/report, MAILER-DAEMON, postmaster, the null sender', () => {
    expect(
      automaticReason(
        withHeaders({ 'content-type': 'multipart/report; report-type=delivery-status; boundary=b' }),
      ),
    ).toBe('bounce');
    expect(automaticReason({ ...person, from: 'MAILER-DAEMON@mx.example.com' })).toBe('mailer_daemon');
    expect(automaticReason({ ...person, from: 'postmaster@example.com' })).toBe('mailer_daemon');
    expect(automaticReason({ ...person, envelopeFrom: '' })).toBe('empty_return_path');
    expect(automaticReason({ ...person, envelopeFrom: '<>' })).toBe('empty_return_path');
    expect(automaticReason(withHeaders({ 'return-path': '<>' }))).toBe('empty_return_path');
    expect(automaticReason(withHeaders({ 'return-path': '< >' }))).toBe('empty_return_path');
    expect(automaticReason(withHeaders({ 'return-path': '<MAILER-DAEMON@mx.example.com>' }))).toBe(
      'mailer_daemon',
    );
  });

  it('ignores old-style autoresponders and bulk or list mail', () => {
    expect(automaticReason(withHeaders({ 'x-autoreply': 'yes' }))).toBe('autoreply');
    expect(automaticReason(withHeaders({ 'x-autorespond': 'Out of office' }))).toBe('autoreply');
    for (const precedence of ['bulk', 'junk', 'auto_reply', 'list', 'Bulk'])
      expect(automaticReason(withHeaders({ precedence }))).toBe('bulk');
  });

  it('ignores our own mail, marked by the mailer', () => {
    expect(automaticReason(withHeaders({ 'x-crm-mail': 'reminder' }))).toBe('own_mail');
  });
});

describe('quoted history is trimmed', () => {
  it('cuts at "On … wrote:", also when the client wrapped it over two lines', () => {
    expect(
      trimQuotedText('Yes, go ahead.\n\nOn Mon, 1 Dec 2026 at 10:00, Sales <s@x.com> wrote:\n> Shall we?'),
    ).toBe('Yes, go ahead.');
    expect(
      trimQuotedText(
        'Fine.\r\n\r\nOn Mon, Dec 1, 2026 at 10:00 AM Sales Team <s@x.com>\r\nwrote:\r\n\r\n> old',
      ),
    ).toBe('Fine.');
  });

  it('cuts at the Spanish "El … escribió:"', () => {
    expect(
      trimQuotedText(
        'Perfecto, gracias.\n\nEl lun, 1 dic 2026 a las 10:00, Ventas <v@x.es> escribió:\n> ¿Seguimos?',
      ),
    ).toBe('Perfecto, gracias.');
  });

  it("cuts at Outlook's separator and at its From/Sent block (English and Spanish)", () => {
    expect(
      trimQuotedText('Agreed.\n\n-----Original Message-----\nFrom: Sales\nSent: Monday\n\nOld text'),
    ).toBe('Agreed.');
    expect(
      trimQuotedText(
        'See attached.\n\n________________________________\nFrom: Sales <s@x.com>\nSent: Monday, December 1, 2026 10:00\nTo: Ana\nSubject: Quote\n\nOld text',
      ),
    ).toBe('See attached.');
    expect(
      trimQuotedText('Vale.\n\nDe: Ventas <v@x.es>\nEnviado el: lunes, 1 de diciembre\nPara: Ana\n\nAntiguo'),
    ).toBe('Vale.');
  });

  it('drops lines quoted with > anywhere, keeps the rest as written', () => {
    expect(trimQuotedText('> question one\nAnswer one.\n> question two\n  Answer two.\n')).toBe(
      'Answer one.\n  Answer two.',
    );
  });

  it('keeps text that merely mentions the words, and leaves nothing when all was quoted', () => {
    const text = 'From: my point of view, we should meet.\nOn Monday I wrote the plan.';
    expect(trimQuotedText(text)).toBe(text);
    expect(trimQuotedText('On Mon, Sales wrote:\n> only the quote')).toBe('');
  });
});

describe('what a message becomes', () => {
  it('names a lead from the display name, or from the address', () => {
    expect(personFromSender('Ana García López', 'ana@x.com')).toEqual({
      firstName: 'Ana',
      lastName: 'García López',
    });
    expect(personFromSender(undefined, 'ana.garcia@x.com')).toEqual({ firstName: 'ana.garcia' });
    expect(personFromSender('"ana@x.com"', 'ana@x.com')).toEqual({ firstName: 'ana' });
  });

  it('keeps a subject to one line of 200 characters', () => {
    expect(activitySubject(undefined)).toBe('(no subject)');
    expect(activitySubject('  Re:\r\n  quote\t ')).toBe('Re: quote');
    expect(activitySubject('x'.repeat(300))).toHaveLength(200);
  });

  it("logs a user's mail on its recipients, not on the sender or the logging address", () => {
    const message = {
      from: { address: 'rep@acme.example' },
      to: [{ address: 'ana@x.com' }, { address: `log-${TOKEN}@${DOMAIN}` }],
      cc: [{ address: 'rep@acme.example' }, { address: 'ana@x.com' }, { address: 'luis@y.com' }],
      text: '',
      attachments: [],
    };
    expect(outboundRecipients(message, DOMAIN)).toEqual(['ana@x.com', 'luis@y.com']);
  });
});

describe('HTML is sanitised', () => {
  it('drops scripts, styles, event handlers and forms; keeps structure and safe links', () => {
    const html = sanitizeMailHtml(
      '<div onclick="steal()"><script>alert(1)</script><style>p{}</style><p style="color:red">Hi <b>there</b></p>' +
        '<a href="javascript:alert(1)">x</a><a href="https://acme.example/q" onmouseover="y()">quote</a>' +
        '<form action="https://evil.example"><input name="p"></form><iframe src="https://evil.example"></iframe></div>',
    );
    expect(html).not.toMatch(/script|style|onclick|onmouseover|javascript|form|input|iframe|alert/i);
    expect(html).toContain('<p>Hi <b>there</b></p>');
    expect(html).toContain(
      '<a href="https://acme.example/q" target="_blank" rel="noopener noreferrer nofollow">quote</a>',
    );
  });

  it('turns remote images into links and drops inline ones, so nothing loads by itself', () => {
    const html = sanitizeMailHtml(
      '<img src="https://track.example/p.gif" alt="logo" onerror="x()"><img src="cid:part1"><img src="data:image/png;base64,AAAA">',
    );
    expect(html).not.toContain('<img');
    expect(html).toContain(
      '<a href="https://track.example/p.gif" target="_blank" rel="noopener noreferrer nofollow">[image: logo]</a>',
    );
    expect(html).not.toMatch(/cid:|data:/);
  });
});

describe('parsing a received message', () => {
  const mime = (lines: string[]) => Buffer.from(lines.join('\r\n'));

  it('reads sender, recipients, ids, bodies and lists attachments without keeping them', async () => {
    const parsed = await parseInboundMessage(
      mime([
        'From: =?UTF-8?Q?Ana_Garc=C3=ADa?= <Ana@Example.COM>',
        `To: log-${TOKEN}@${DOMAIN}`,
        'Cc: Luis <luis@y.com>',
        'Subject: Re: quote',
        'Message-ID: <m1@example.com>',
        'Date: Mon, 30 Nov 2026 10:00:00 +0100',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'S=ED, adelante.',
        '--b',
        'Content-Type: application/pdf; name="q.pdf"',
        'Content-Disposition: attachment; filename="q.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--b--',
        '',
      ]),
    );
    expect(parsed).toMatchObject({
      ok: true,
      message: {
        from: { address: 'ana@example.com', name: 'Ana García' },
        to: [{ address: `log-${TOKEN}@${DOMAIN}` }],
        cc: [{ address: 'luis@y.com', name: 'Luis' }],
        subject: 'Re: quote',
        messageId: 'm1@example.com',
        date: '2026-11-30T09:00:00.000Z',
        text: expect.stringContaining('Sí, adelante.'),
        attachments: [{ filename: 'q.pdf', contentType: 'application/pdf', size: 9 }],
        moreAttachments: 0,
      },
    });
  });

  it('calls a message without a readable sender malformed, never throwing', async () => {
    for (const raw of [
      Buffer.from([0, 1, 2, 255, 254, 10, 13, 10, 0x41]),
      Buffer.from('no headers here, just text'),
      mime(['From: not an address', 'Subject: x', '', 'body']),
      mime(['Subject: no sender', 'Content-Type: multipart/mixed; boundary=z', '', '--z', 'unterminated']),
    ]) {
      expect(await parseInboundMessage(raw)).toMatchObject({ ok: false, reason: expect.any(String) });
    }
  });
});

describe('the SES receipt event', () => {
  it('round-trips the envelope the local listener builds', () => {
    const event = receiptEvent({
      messageId: 'abc123',
      envelopeFrom: 'ana@example.com',
      recipients: [`log-${TOKEN}@${DOMAIN}`],
      at: new Date('2026-11-30T10:00:00Z'),
    });
    expect(parseReceiptEvent(event)).toEqual({
      ok: true,
      mails: [
        { messageId: 'abc123', envelopeFrom: 'ana@example.com', recipients: [`log-${TOKEN}@${DOMAIN}`] },
      ],
    });
  });

  it("carries SES's failed scans and refuses what is not a receipt", () => {
    const failed = {
      Records: [
        {
          eventSource: 'aws:ses',
          ses: {
            mail: { messageId: 'm', source: '' },
            receipt: { recipients: [], virusVerdict: { status: 'FAIL' } },
          },
        },
      ],
    };
    expect(parseReceiptEvent(failed)).toMatchObject({
      ok: true,
      mails: [{ rejectedBy: 'virus', envelopeFrom: '' }],
    });
    expect(parseReceiptEvent({})).toMatchObject({ ok: false });
    expect(parseReceiptEvent({ Records: [{ eventSource: 'aws:s3' }] })).toMatchObject({ ok: false });
    expect(
      parseReceiptEvent({ Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: '../../etc' } } }] }),
    ).toMatchObject({ ok: false });
  });
});
