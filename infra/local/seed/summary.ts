import type { SeedSummary } from './seed.ts';

/** The lines `npm run seed` ends with: what it wrote, over which dates, and what to look at next. */
export function formatSummary(summary: SeedSummary, apiUrl: string): string {
  const { deals } = summary;
  return [
    '',
    `Seeded tenant ${summary.tenantId} (batch ${summary.batch}), records dated ${summary.from.slice(0, 10)} to ${summary.to.slice(0, 10)}:`,
    `  ${summary.teams} teams, ${summary.users} users`,
    `  ${summary.companies} companies, ${summary.contacts} contacts, ${summary.products} products`,
    `  ${summary.leads} leads (${summary.convertedLeads} converted)`,
    `  ${deals.total} deals: ${deals.won} won, ${deals.lost} lost, ${deals.open} open; ${summary.quotes} accepted quotes`,
    `  ${summary.activities} activities, ${summary.cases} cases`,
    ...summary.campaigns.map(
      (campaign) => `  campaign "${campaign.name}" (${campaign.id}) sent to ${campaign.recipients} contacts`,
    ),
    `The stream had counted everything ${summary.settledInSeconds} s after the last write.`,
    '',
    `Try: curl -H "Authorization: Bearer $TOKEN" "${apiUrl}/reports/sales?groupBy=month"`,
  ].join('\n');
}
