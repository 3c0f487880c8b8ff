/**
 * The list prices `npm run cost` multiplies the measured counts by: region us-east-1, US dollars,
 * each with where it was read. AWS's own pricing pages render most figures in the browser, so the
 * stored copies of them often carry the text around a price and not the price itself; where that
 * is so, `seenAt` names the page that quotes the figure and `page` the AWS page it comes from.
 * Every `quote` is what the copy read says, word for word (ellipses mark cuts).
 */

export const PRICE_REGION = 'us-east-1';
/** When the table was put together from the copies below. */
export const PRICE_TABLE_DATE = '2026-11-30';

export interface PriceSource {
  /** The AWS (or vendor) pricing page the price belongs to. */
  readonly page: string;
  /** The copy the figure was read from: `page` itself, or a page that quotes it. */
  readonly seenAt: string;
  /** What that copy says. */
  readonly quote: string;
  /** The date the copy states for itself (`as of …`, `updated …`), else `undated copy, read <date>`. */
  readonly copyDate: string;
}

export interface Price {
  readonly service: string;
  readonly item: string;
  /** Dollars per `per` units of `unit`. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: PriceSource;
}

/** A monthly allowance AWS gives every account, and whether it expires after the first 12 months. */
export interface FreeTier {
  readonly price: PriceId;
  /** In the price's unit (requests, GB-seconds, GB-months, ...). */
  readonly quantity: number;
  readonly term: 'always' | 'first 12 months';
  readonly source: PriceSource;
}

/** For a copy that states no date of its own: when it was read. */
const read = `undated copy, read ${PRICE_TABLE_DATE}`;

const lambdaPage = 'https://aws.amazon.com/lambda/pricing/';
const dynamoOnDemandPage = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const dynamoPage = 'https://aws.amazon.com/dynamodb/pricing/';
const apiGatewayPage = 'https://aws.amazon.com/api-gateway/pricing/';
const eventBridgePage = 'https://aws.amazon.com/eventbridge/pricing/';
const sqsPage = 'https://aws.amazon.com/sqs/pricing/';
const cloudWatchPage = 'https://aws.amazon.com/cloudwatch/pricing/';
const s3Page = 'https://aws.amazon.com/s3/pricing/';
const cognitoPage = 'https://aws.amazon.com/cognito/pricing/';
const secretsPage = 'https://aws.amazon.com/secrets-manager/pricing/';
const xrayPage = 'https://aws.amazon.com/xray/pricing/';
const sesPage = 'https://aws.amazon.com/ses/pricing/';

export const prices = {
  lambdaRequests: {
    service: 'Lambda',
    item: 'requests',
    usd: 0.2,
    per: 1_000_000,
    unit: 'requests',
    source: {
      page: lambdaPage,
      seenAt:
        'https://git.mcrn.ar/mariano/lambda_local_runner/src/commit/957e45b8adae23ce50b966346229585b5df18b4d/docs/lambdas-md/lambda-13-cost.md?display=rendered',
      quote: '| Requests | $0.20 / 1M | $0.20 / 1M | 1M / month |',
      copyDate: read,
    },
  },
  lambdaArmGbSeconds: {
    service: 'Lambda',
    item: 'duration, arm64',
    usd: 0.0000133334,
    per: 1,
    unit: 'GB-seconds',
    source: {
      page: lambdaPage,
      seenAt: 'https://cloudchipr.com/blog/aws-lambda-pricing',
      quote:
        'ARM Pricing - First 7.5 Billion GB-seconds per month: $0.0000133334 per GB-second (… based on the US East (N. Virginia) region)',
      copyDate: '2024 (the guide is titled "Ultimate Guide 2024")',
    },
  },
  httpApiRequests: {
    service: 'API Gateway',
    item: 'HTTP API requests',
    usd: 1,
    per: 1_000_000,
    unit: 'requests',
    source: {
      page: apiGatewayPage,
      seenAt:
        'https://docs.aws.amazon.com/pt_br/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
      quote:
        'HTTP … API calls (us-east-1); First 300 million requests (per month): $1.00 (per million) … HTTP APIs are metered in 512 KB increments.',
      copyDate: read,
    },
  },
  dynamoWriteUnits: {
    service: 'DynamoDB',
    item: 'on-demand write request units',
    usd: 0.625,
    per: 1_000_000,
    unit: 'write request units',
    source: {
      page: dynamoOnDemandPage,
      seenAt: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
      quote:
        'Pricing Structure (US East Region) - Write Request Units (WRU): $0.625 per million write request units',
      copyDate: read,
    },
  },
  dynamoReadUnits: {
    service: 'DynamoDB',
    item: 'on-demand read request units',
    usd: 0.125,
    per: 1_000_000,
    unit: 'read request units',
    source: {
      page: dynamoOnDemandPage,
      seenAt: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
      quote: 'Read Request Units (RRU): $0.125 per million read request units',
      copyDate: read,
    },
  },
  dynamoStorage: {
    service: 'DynamoDB',
    item: 'storage (Standard table class)',
    usd: 0.25,
    per: 1,
    unit: 'GB-months',
    source: {
      page: dynamoPage,
      seenAt: dynamoPage,
      quote:
        'DynamoDB charges per GB of disk space that your table consumes. The first 25 GB consumed per month is free, and prices start from $0.25 per GB-month thereafter.',
      copyDate: read,
    },
  },
  dynamoPitr: {
    service: 'DynamoDB',
    item: 'continuous backups (PITR)',
    usd: 0.2,
    per: 1,
    unit: 'GB-months',
    source: {
      page: dynamoOnDemandPage,
      seenAt: 'https://finops.com.py/services/dynamodb/backups',
      quote:
        'Continuous backups (Point-in-Time Recovery - PITR): … Charged based on table size: $0.20 per GB-month',
      copyDate: read,
    },
  },
  dynamoStreamReads: {
    service: 'DynamoDB',
    item: 'stream reads by the Lambda trigger',
    usd: 0,
    per: 1,
    unit: 'stream read requests',
    source: {
      page: dynamoOnDemandPage,
      seenAt:
        'https://docs.amazonaws.cn/en_us/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html',
      quote:
        'Read requests made by Amazon Lambda-based consumers of DynamoDB Streams are free, whereas calls made by consumers of any other kind are charged.',
      copyDate: read,
    },
  },
  schedulerInvocations: {
    service: 'EventBridge Scheduler',
    item: 'invocations',
    usd: 1,
    per: 1_000_000,
    unit: 'invocations',
    source: {
      page: eventBridgePage,
      seenAt: 'https://cloudburn.io/blog/amazon-eventbridge-pricing',
      quote:
        'Scheduler | Per million invocations | $1.00 | 14M invocations/month (All prices are for US East (N. Virginia) as of March 2026.)',
      copyDate: 'March 2026',
    },
  },
  eventBridgeEvents: {
    service: 'EventBridge',
    item: 'custom events (64 KB chunks)',
    usd: 1,
    per: 1_000_000,
    unit: 'events',
    source: {
      page: eventBridgePage,
      seenAt: 'https://cloudburn.io/blog/amazon-eventbridge-pricing',
      quote:
        'Event Bus (custom events) | Per million events ingested | $1.00 … a 64 KB chunking rule that silently multiplies your bill',
      copyDate: 'March 2026',
    },
  },
  sqsRequests: {
    service: 'SQS',
    item: 'standard queue requests (64 KB chunks)',
    usd: 0.4,
    per: 1_000_000,
    unit: 'requests',
    source: {
      page: sqsPage,
      seenAt: 'https://unanswered.io/guide/aws-sqs-pricing-and-cost-optimization',
      quote:
        'Standard queues cost $0.40 per million requests after the free tier up to 100 billion requests per month. … each 64 KB chunk of a message is billed as one request.',
      copyDate: read,
    },
  },
  logsIngestion: {
    service: 'CloudWatch Logs',
    item: 'ingestion',
    usd: 0.5,
    per: 1,
    unit: 'GB',
    source: {
      page: cloudWatchPage,
      seenAt: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/',
      quote: 'CloudWatch bills across ten distinct dimensions — Logs ingestion at $0.50/GB',
      copyDate: read,
    },
  },
  customMetrics: {
    service: 'CloudWatch',
    item: 'custom metrics (EMF)',
    usd: 0.3,
    per: 1,
    unit: 'metric-months',
    source: {
      page: cloudWatchPage,
      seenAt: 'https://signoz.io/guides/cloudwatch-pricing',
      quote:
        'Each unique combination of metric name, namespace, and dimension values counts as a separate billable metric, at $0.30/month for the first 10,000.',
      copyDate: 'Feb 15, 2026',
    },
  },
  sesEmails: {
    service: 'SES',
    item: 'outbound emails (à la carte)',
    usd: 0.1,
    per: 1_000,
    unit: 'emails',
    source: {
      page: sesPage,
      seenAt: 'https://www.acecloudinterviews.com/tutorials/aws/ses/',
      quote:
        'It offers one of the lowest costs per email in the industry, starting at $0.10 per thousand emails.',
      copyDate: read,
    },
  },
  secrets: {
    service: 'Secrets Manager',
    item: 'secrets stored',
    usd: 0.4,
    per: 1,
    unit: 'secret-months',
    source: {
      page: secretsPage,
      seenAt: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms',
      quote: 'Pricing is $0.40 per secret per month + $0.05 per 10k API calls.',
      copyDate: read,
    },
  },
  logsStorage: {
    service: 'CloudWatch Logs',
    item: 'storage',
    usd: 0.03,
    per: 1,
    unit: 'GB-months',
    source: {
      page: cloudWatchPage,
      seenAt: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization',
      quote:
        'us-east-1, June 2026: Standard log class - Ingestion: $0.50 per GB - Storage: $0.03 per GB-month',
      copyDate: 'June 2026',
    },
  },
  xrayTraces: {
    service: 'X-Ray',
    item: 'traces recorded',
    usd: 5,
    per: 1_000_000,
    unit: 'traces',
    source: {
      page: xrayPage,
      seenAt: 'https://aws.amazon.com/de/xray/pricing/',
      quote:
        'Über das kostenlose Nutzungskontingent hinausgehende aufgezeichnete Ablaufverfolgungen werden mit 5 USD pro Million in Rechnung gestellt (0,000005 USD pro Ablaufverfolgung). [Recorded traces beyond the free tier are billed at $5 per million.]',
      copyDate: read,
    },
  },
  cognitoEssentialsMau: {
    service: 'Cognito',
    item: 'monthly active users (Essentials)',
    usd: 0.015,
    per: 1,
    unit: 'MAU',
    source: {
      page: cognitoPage,
      seenAt:
        'https://raw.githubusercontent.com/api-evangelist/amazon-cognito/refs/heads/main/plans/amazon-cognito-plans-pricing.yml',
      quote:
        'name: Essentials price_text: $0.015 … included_quota: free tier of 10,000 monthly active user (MAU) per month per account overage: Price / MAU charged above the free tier = $0.015 (transcribed from the worked examples of the AWS page, read 2026-09-20)',
      copyDate: '2026-09-20',
    },
  },
  s3PutRequests: {
    service: 'S3',
    item: 'PUT, COPY, POST, LIST requests',
    usd: 0.005,
    per: 1_000,
    unit: 'requests',
    source: {
      page: s3Page,
      seenAt: 'https://c3x.dev/blog/s3-request-fees-explained',
      quote:
        'S3 request fees split into Tier 1 (PUT, COPY, POST, LIST: $0.005 per 1,000) and Tier 2 (GET, HEAD, SELECT: $0.0004 per 1,000) at Standard.',
      copyDate: read,
    },
  },
  s3GetRequests: {
    service: 'S3',
    item: 'GET, HEAD, SELECT requests',
    usd: 0.0004,
    per: 1_000,
    unit: 'requests',
    source: {
      page: s3Page,
      seenAt: 'https://c3x.dev/blog/s3-request-fees-explained',
      quote: 'Tier 2 (GET, HEAD, SELECT: $0.0004 per 1,000) at Standard',
      copyDate: read,
    },
  },
} as const satisfies Record<string, Price>;

export type PriceId = keyof typeof prices;

/** The always-free (and first-year) monthly allowances that apply to this bill. */
export const freeTiers: readonly FreeTier[] = [
  {
    price: 'lambdaRequests',
    quantity: 1_000_000,
    term: 'always',
    source: {
      page: lambdaPage,
      seenAt: 'https://cloudchipr.com/blog/aws-lambda-pricing',
      quote:
        'Each month, the free tier includes: - 1 million requests for Lambda functions. - 400,000 GB-seconds of compute time, applicable to both x86 and Graviton2 processors (ARM)',
      copyDate: '2024',
    },
  },
  {
    price: 'lambdaArmGbSeconds',
    quantity: 400_000,
    term: 'always',
    source: {
      page: lambdaPage,
      seenAt: 'https://cloudchipr.com/blog/aws-lambda-pricing',
      quote: '400,000 GB-seconds of compute time, applicable to both x86 and Graviton2 processors (ARM)',
      copyDate: '2024',
    },
  },
  {
    price: 'dynamoStorage',
    quantity: 25,
    term: 'always',
    source: {
      page: dynamoPage,
      seenAt: dynamoPage,
      quote:
        'Free tier 25 GB per month of data storage … The DynamoDB free tier applies to all tables in a region and does not expire at the end of your 12-month AWS Free Tier.',
      copyDate: read,
    },
  },
  {
    price: 'sqsRequests',
    quantity: 1_000_000,
    term: 'always',
    source: {
      page: sqsPage,
      seenAt: 'https://unanswered.io/guide/aws-sqs-pricing-and-cost-optimization',
      quote: 'You receive 1 million free requests per month indefinitely, not just for the first year.',
      copyDate: read,
    },
  },
  {
    price: 'logsIngestion',
    quantity: 5,
    term: 'always',
    source: {
      page: cloudWatchPage,
      seenAt: 'https://aws.amazon.com/cloudwatch/pricing/?nc2=type_a',
      quote:
        'Free tier … Logs | 5 GB Data (ingestion, archive storage, and data scanned by Logs Insights queries)',
      copyDate: read,
    },
  },
  {
    price: 'customMetrics',
    quantity: 10,
    term: 'always',
    source: {
      page: cloudWatchPage,
      seenAt: 'https://aws.amazon.com/cloudwatch/pricing/?nc2=type_a',
      quote: 'Metrics | … 10 Metrics (of Custom Metrics and Detailed Monitoring Metrics)',
      copyDate: read,
    },
  },
  {
    price: 'xrayTraces',
    quantity: 100_000,
    term: 'always',
    source: {
      page: xrayPage,
      seenAt: 'http://elcssyosw.uat.app2one.com/de/xray/pricing',
      quote:
        'Unbefristetes kostenloses Kontingent - Die ersten 100 000 aufgezeichneten Traces pro Monat sind kostenfrei. [Free tier without time limit: the first 100,000 traces recorded a month are free.]',
      copyDate: read,
    },
  },
  {
    price: 'cognitoEssentialsMau',
    quantity: 10_000,
    term: 'always',
    source: {
      page: cognitoPage,
      seenAt:
        'https://raw.githubusercontent.com/api-evangelist/amazon-cognito/refs/heads/main/plans/amazon-cognito-plans-pricing.yml',
      quote: 'included_quota: free tier of 10,000 monthly active user (MAU) per month per account',
      copyDate: '2026-09-20',
    },
  },
  {
    price: 'httpApiRequests',
    quantity: 1_000_000,
    term: 'first 12 months',
    source: {
      page: apiGatewayPage,
      seenAt: apiGatewayPage,
      quote:
        'The Amazon API Gateway free tier includes … one million API calls received for HTTP APIs … per month for up to 12 months.',
      copyDate: read,
    },
  },
];

/**
 * How many invocations Lambda's active tracing records: the X-Ray sampling rule Lambda applies, which
 * a function cannot change. Not a price, but what the X-Ray line's quantity rests on (bill.ts tracesAtMost).
 */
export const lambdaTraceSampling = {
  /** Requests recorded each second before the rate applies (the reservoir). */
  reservoirPerSecond: 1,
  /** The share of the requests beyond the reservoir that is recorded. */
  fixedRate: 0.05,
  source: {
    page: 'https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html',
    seenAt: 'https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html',
    quote:
      'X-Ray applies a sampling algorithm to ensure that tracing is efficient, while still providing a representative sample of the requests that your application serves. The default sampling rule is 1 request per second and 5 percent of additional requests. This sampling rate cannot be configured for Lambda functions.',
    copyDate: read,
  } satisfies PriceSource,
} as const;

/**
 * What the stored copies did not let us price, and why the bill leaves it out; printed under
 * the bill so that nobody reads the total as complete where it is not.
 */
export const unpriced: readonly string[] = [
  `SQS polling of the queues the Lambda event source mappings read (${sqsPage}): Lambda long-polls each queue with five connections even when it is empty, and those ReceiveMessage calls are billed as SQS requests; the stored copies do not say how often an empty long poll repeats, so the bill leaves them out`,
  `the EventBridge archive of the domain events bus (${eventBridgePage}): the bench does not measure event sizes`,
  `API Gateway access logs (${cloudWatchPage}): the bench does not measure the bytes of an access log line`,
  `Secrets Manager API calls (${secretsPage}, $0.05 per 10,000): one GetSecretValue per cold start, which the bench does not count`,
  `the recurring sweeps' Lambda duration: the bench measures no alertScan run`,
  `Lambda's own START, END and REPORT log lines (${cloudWatchPage}): the bench measures the bytes our code logs`,
  `S3 storage (${s3Page}) of the console's files and of the uploads, exports and inbound mail the buckets keep for 7, 2 and 30 days: the bench does not measure object sizes`,
  `data transfer out to the internet (API responses, console assets through CloudFront)`,
];
