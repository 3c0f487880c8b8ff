/** The seed's scales (plan.ts holds their counts), apart so npm start can name them without loading the plan. */
export const seedScales = ['small', 'default'] as const;
export type SeedScale = (typeof seedScales)[number];
