import { config } from '../config.ts';
import type { SendEvidence } from '../domain/delivery.ts';

/**
 * SES's own record of what it accepted, asked by claim id (every delivery's
 * email carries its claim id as the SES tag `claim`). Under `npm start` the
 * SES stand-in keeps that record with the mail, across restarts, and answers
 * at LOCAL_SES_LEDGER_URL; SES itself has no such lookup, so in AWS the
 * answer is always `unknown` and the Send event is the evidence.
 */
export interface SentLedger {
  lookup(claimId: string): Promise<SendEvidence>;
}

export function sentLedger(baseUrl = config.localSesLedgerUrl): SentLedger {
  if (!baseUrl) return { lookup: async () => 'unknown' };
  return {
    async lookup(claimId) {
      const response = await fetch(`${baseUrl.replace(/\/$/, '')}/${encodeURIComponent(claimId)}`);
      if (response.status === 404) return 'none';
      if (!response.ok) throw new Error(`The local SES ledger answered ${response.status}`);
      const { messageId } = (await response.json()) as { messageId?: unknown };
      if (typeof messageId !== 'string') throw new Error('The local SES ledger answered without a messageId');
      return { accepted: messageId };
    },
  };
}
