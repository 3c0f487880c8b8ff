import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../shared/domain/email.ts';
import { forwardedBlock, withoutForwardPrefix } from '../../shared/domain/inbound-email.ts';
import { parseInboundMessage } from '../../shared/mail/inbound-message.ts';

const read = (text: string) => forwardedBlock(text, normalizeEmail);

describe('forwarded mail: the header block mail clients write', () => {
  it('reads the original sender, subject, recipients and text of each client', () => {
    const blocks = {
      gmail: [
        'FYI, see below.',
        '',
        '---------- Forwarded message ---------',
        'From: Ana García <Ana@Customer.example>',
        'Date: Mon, 30 Nov 2026 at 09:00',
        'Subject: Pricing?',
        'To: Rep Red <rep@acme.example>',
        '',
        'How much is it?',
      ],
      outlook: [
        'Please log this.',
        '________________________________',
        'From: Ana García [mailto:ana@customer.example]',
        'Sent: Monday, November 30, 2026 9:00 AM',
        'To: rep@acme.example; Bob <bob@customer.example>',
        'Subject: Pricing?',
        '',
        'How much is it?',
      ],
      apple: [
        'Begin forwarded message:',
        '',
        'From: "Ana García" <ana@customer.example>',
        'Subject: Pricing?',
        'Date: 30 November 2026 at 09:00:00 CET',
        'To: rep@acme.example',
        '',
        'How much is it?',
      ],
      thunderbird: [
        '-------- Forwarded Message --------',
        'Subject: \tPricing?',
        'Date: \tMon, 30 Nov 2026 09:00:00 +0100',
        'From: \tAna García <ana@customer.example>',
        'To: \trep@acme.example',
        '',
        'How much is it?',
      ],
      spanish: [
        '---------- Mensaje reenviado ---------',
        'De: Ana García <ana@customer.example>',
        'Fecha: lun, 30 nov 2026 a las 9:00',
        'Asunto: Pricing?',
        'Para: <rep@acme.example>',
        '',
        'How much is it?',
      ],
    };
    for (const [client, lines] of Object.entries(blocks)) {
      expect(read(lines.join('\r\n')), client).toMatchObject({
        from: { address: 'ana@customer.example', name: 'Ana García' },
        subject: 'Pricing?',
        text: 'How much is it?',
      });
    }
    expect(read(blocks.outlook.join('\n'))?.to).toEqual(['rep@acme.example', 'bob@customer.example']);
  });

  it('reads nothing when the sender is not one readable address', () => {
    const block = (from: string) =>
      ['---------- Forwarded message ---------', `From: ${from}`, 'Subject: x', '', 'Body'].join('\n');
    expect(read(block('Ana García'))).toBeUndefined();
    expect(read(block('ana@customer.example, bob@customer.example'))).toBeUndefined();
    expect(read(block('<not an address>'))).toBeUndefined();
    expect(read('Just a message.\nFrom: ana@customer.example\n')).toBeUndefined();
    expect(read(block('ana@customer.example'))?.from).toEqual({ address: 'ana@customer.example' });
  });

  it('strips forward prefixes from a subject', () => {
    expect(withoutForwardPrefix('Fwd: Re: Pricing')).toBe('Re: Pricing');
    expect(withoutForwardPrefix('FW: RV: WG: Pricing')).toBe('Pricing');
    expect(withoutForwardPrefix('Forward planning')).toBe('Forward planning');
  });
});

describe('forwarded mail in a parsed message', () => {
  it('prefers an attached message/rfc822, read whole with its Message-ID and date', async () => {
    const raw = [
      'From: Rep Red <rep@acme.example>',
      'To: log-0123456789abcdef01234567@in.example',
      'Subject: Fwd: Pricing',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'See the attached mail.',
      '--b',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment; filename="Pricing.eml"',
      '',
      'From: =?ISO-8859-1?Q?Ana_Garc=EDa?= <ana@customer.example>',
      'To: rep@acme.example',
      'Subject: Pricing',
      'Message-ID: <inner-1@customer.example>',
      'Date: Mon, 30 Nov 2026 09:00:00 +0000',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'How much is it, se=F1or?',
      '--b--',
      '',
    ].join('\r\n');
    const parsed = await parseInboundMessage(Buffer.from(raw));
    expect(parsed.ok && parsed.message.forwarded).toMatchObject({
      from: { address: 'ana@customer.example', name: 'Ana García' },
      subject: 'Pricing',
      messageId: 'inner-1@customer.example',
      date: '2026-11-30T09:00:00.000Z',
      text: 'How much is it, señor?',
    });
  });

  it('has none for a message that forwards nothing', async () => {
    const parsed = await parseInboundMessage(
      Buffer.from('From: ana@customer.example\r\nTo: x@y.example\r\nSubject: Hi\r\n\r\nHello.\r\n'),
    );
    expect(parsed.ok && parsed.message.forwarded).toBeUndefined();
  });
});
