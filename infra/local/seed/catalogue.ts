/**
 * The vocabulary demo records are made of: names, places, industries,
 * products and the reasons people give. Plain data, so a richer demo only
 * edits lists.
 */

export interface Country {
  readonly code: string;
  readonly currency: string;
  readonly cities: readonly string[];
  /** Relative share of companies. */
  readonly weight: number;
}

export const countries: readonly Country[] = [
  { code: 'DE', currency: 'EUR', cities: ['Berlin', 'Hamburg', 'München', 'Köln'], weight: 5 },
  { code: 'ES', currency: 'EUR', cities: ['Madrid', 'Barcelona', 'Valencia', 'Bilbao'], weight: 4 },
  { code: 'FR', currency: 'EUR', cities: ['Paris', 'Lyon', 'Lille', 'Nantes'], weight: 4 },
  { code: 'NL', currency: 'EUR', cities: ['Amsterdam', 'Rotterdam', 'Utrecht'], weight: 2 },
  { code: 'IT', currency: 'EUR', cities: ['Milano', 'Torino', 'Bologna'], weight: 2 },
  { code: 'GB', currency: 'GBP', cities: ['London', 'Manchester', 'Leeds', 'Bristol'], weight: 3 },
  { code: 'US', currency: 'USD', cities: ['New York', 'Chicago', 'Austin', 'Seattle'], weight: 3 },
];

export const industries = [
  'logistics',
  'manufacturing',
  'retail',
  'software',
  'healthcare',
  'hospitality',
  'construction',
  'finance',
] as const;

export const companyWords = {
  first: [
    'Nordwind',
    'Álvarez',
    'Blue Harbor',
    'Keller',
    'Lumen',
    'Sierra',
    'Atlas',
    'Castell',
    'Rivera',
    'Brightline',
    'Van Dijk',
    'Moreau',
    'Fjord',
    'Solano',
    'Greenfield',
    'Orbit',
    'Marlow',
    'Bianchi',
    'Hartmann',
    'Cobalt',
  ],
  second: [
    'Logistik',
    'Transportes',
    'Foods',
    'Systems',
    'Health',
    'Hotels',
    'Bau',
    'Partners',
    'Retail',
    'Labs',
    'Industries',
    'Components',
  ],
} as const;

export const firstNames = [
  'Lucía',
  'Marta',
  'Iker',
  'Anna',
  'Jonas',
  'Sophie',
  'Lucas',
  'Emma',
  'Noah',
  'Chloé',
  'Giulia',
  'Marco',
  'Oliver',
  'Amelia',
  'Liam',
  'Olivia',
  'Daan',
  'Sanne',
  'Pablo',
  'Léa',
  'Hugo',
  'Mia',
  'Finn',
  'Elena',
] as const;

export const lastNames = [
  'Gómez',
  'Ruiz',
  'Keller',
  'Schmidt',
  'Dubois',
  'Martin',
  'Rossi',
  'Bianchi',
  'Smith',
  'Taylor',
  'de Vries',
  'Jansen',
  'García',
  'Müller',
  'Lefèvre',
  'Brown',
  'Johnson',
  'Romano',
  'Fischer',
  'Moreno',
] as const;

export const jobTitles = [
  'Head of Operations',
  'Purchasing Manager',
  'CFO',
  'IT Director',
  'Office Manager',
  'CEO',
  'Fleet Manager',
  'Procurement Lead',
] as const;

/** The price list (all in EUR, so quotes in EUR can name any of them). */
export const productList = [
  { name: 'Telematics unit', sku: 'TU', unitPrice: 199.995 },
  { name: 'Fleet dashboard licence', sku: 'FDL', unitPrice: 480 },
  { name: 'Installation day', sku: 'INST', unitPrice: 950 },
  { name: 'Support plan basic', sku: 'SUP-B', unitPrice: 1200 },
  { name: 'Support plan premium', sku: 'SUP-P', unitPrice: 3600 },
  { name: 'Route optimiser', sku: 'RO', unitPrice: 2400 },
  { name: 'Driver app seat', sku: 'DAS', unitPrice: 89.5 },
  { name: 'Training workshop', sku: 'TW', unitPrice: 1500 },
  { name: 'Cold-chain sensor', sku: 'CCS', unitPrice: 74.9 },
  { name: 'Data export add-on', sku: 'DEX', unitPrice: 650 },
  { name: 'API access', sku: 'API', unitPrice: 990 },
  { name: 'Onboarding package', sku: 'ONB', unitPrice: 2900 },
] as const;

export const lostReasons = [
  'price',
  'chose a competitor',
  'no budget',
  'timing',
  'no decision',
  'missing feature',
] as const;

export const dealTopics = [
  'fleet rollout',
  'renewal',
  'expansion',
  'pilot',
  'cold-chain upgrade',
  'support contract',
  'new depot',
  'API integration',
] as const;

export const activitySubjects = {
  task: ['Send the proposal', 'Prepare the pricing sheet', 'Update the contract draft', 'Check references'],
  call: ['Discovery call', 'Follow-up call', 'Pricing call', 'Renewal call'],
  meeting: ['On-site demo', 'Quarterly review', 'Kick-off meeting', 'Negotiation meeting'],
  email: ['Sent the brochure', 'Answered the RFP questions', 'Shared the case study'],
  note: ['Budget approved next quarter', 'Prefers mornings', 'Decision maker is the CFO'],
} as const;

export const caseSubjects = {
  service_request: ['Add two users to the account', 'Move the installation date', 'New depot setup'],
  complaint: ['Units offline since Monday', 'Invoice charged twice', 'Driver app keeps crashing'],
  return: ['Return three faulty sensors', 'Return an unused unit'],
  information: ['How to export the monthly report', 'Question about the API limits', 'Data retention policy'],
} as const;

export const csatComments = ['Quick and friendly', 'Solved at once', 'Took too long', 'Fine', 'Very helpful'];
