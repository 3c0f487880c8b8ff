import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccessLevel,
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { CrmConfig } from '../config.ts';
import {
  CONSOLE_HSTS_SECONDS,
  CONSOLE_REFERRER_POLICY,
  consoleContentSecurityPolicy,
} from '../console-headers.ts';
import {
  acknowledgeDeploymentHandler,
  deploymentHandler,
  ownBucketObjects,
} from '../constructs/console-deployment.ts';
import { fileBucketName } from '../constructs/files.ts';

/** `crm-console-<account>-<region>[-<stage>]`, so CrmConsoleConfig writes to it by name; as cdk-nag prints it. */
export function consoleBucketName(stage: string | undefined): { physical: string; shown: string } {
  const suffix = stage ? `-${stage.toLowerCase().slice(0, 20)}` : '';
  return {
    physical: `crm-console-${Aws.ACCOUNT_ID}-${Aws.REGION}${suffix}`,
    shown: `crm-console-<AWS::AccountId>-<AWS::Region>${suffix}`,
  };
}

/** The prefix of every console object in the bucket and of every console URL (Vite's base). */
export const CONSOLE_PREFIX = 'app';

/**
 * The hosted UI's domain prefix: `-c cognitoDomainPrefix`, or one derived from the account (and
 * stage) so that it is unique in the region and the same on every deploy. Both the API stack
 * (which creates the domain) and this stack (whose CSP names it) compute it, so neither refers to
 * the other for it.
 */
export function hostedUiPrefix(config: CrmConfig): string {
  if (config.cognitoDomainPrefix) return config.cognitoDomainPrefix;
  const stage = config.stage ? `${config.stage.toLowerCase()}-` : '';
  return `crm-${stage}${Aws.ACCOUNT_ID}`;
}

/** The hosted UI's base URL for a prefix (what UserPoolDomain.baseUrl() returns). */
export function hostedUiUrl(prefix: string): string {
  return `https://${prefix}.auth.${Aws.REGION}.amazoncognito.com`;
}

/**
 * CloudFront Function (viewer request): `/` and `/app` go to `/app/`; a page path under /app/
 * (no file extension) is answered with index.html, as the console routes in the browser. Files
 * keep their own path, so a missing asset is S3's 404 rather than a page.
 */
export const consoleRouterCode = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/${CONSOLE_PREFIX}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/${CONSOLE_PREFIX}/' } } };
  }
  if (uri.indexOf('/${CONSOLE_PREFIX}/') === 0 && uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    request.uri = '/${CONSOLE_PREFIX}/index.html';
  }
  return request;
}`;

export interface ConsoleStackProps extends StackProps {
  readonly config: CrmConfig;
  /** The built console (console/dist): index.html and assets/. */
  readonly distDir: string;
}

/**
 * The web console's site: a private bucket behind CloudFront (origin access control), the
 * console's files under app/, the SPA router function and the security headers.
 *
 * This stack comes before CrmApi, which takes the console's origin for CORS and for its app
 * client's callback URLs (so the API's authorizer accepts that client in the same deploy);
 * CrmConsoleConfig then writes app/config.json with the API URL and the client. The one thing
 * this stack cannot refer to is the API's URL, for the CSP's connect-src: it names the API's
 * custom domain when `publicApiUrl` is set, otherwise API Gateway's hosts in the region. CrmFiles
 * also comes after it: its imports bucket lets the console upload (CORS), and the CSP names that
 * bucket by its fixed name.
 */
export class ConsoleStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution domain>, the console's origin. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (!existsSync(join(props.distDir, 'index.html')))
      throw new Error(`The console is not built (${props.distDir}): run npm run build:console`);

    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: consoleBucketName(config.stage).physical,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // Built files only: a redeploy writes them again.
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: false,
    });

    const apiOrigin = config.publicApiUrl
      ? new URL(config.publicApiUrl).origin
      : `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'CRM console: CSP (scripts from this origin only), HSTS, nosniff, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy([
            apiOrigin,
            hostedUiUrl(hostedUiPrefix(config)),
            // Import files go up, and their error reports come down, with presigned URLs.
            `https://${fileBucketName('imports', config.stage).physical}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
          ]),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(CONSOLE_HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: referrerPolicyOf(CONSOLE_REFERRER_POLICY), override: true },
      },
    });
    const router = new EdgeFunction(this, 'Router', {
      comment: 'CRM console: / to /app/, page paths to index.html',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(consoleRouterCode),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'CRM web console',
      defaultRootObject: `${CONSOLE_PREFIX}/index.html`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        // LIST lets S3 answer a missing file with 404 rather than 403.
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessLevels: [AccessLevel.READ, AccessLevel.LIST],
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: router, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;

    // Hashed assets never change under their name; kept across deploys (no prune) so a tab
    // opened before a deploy still loads its chunks.
    new BucketDeployment(this, 'Assets', {
      sources: [Source.asset(props.distDir)],
      destinationBucket: this.bucket,
      ...deploymentHandler(this, config),
      destinationKeyPrefix: `${CONSOLE_PREFIX}/`,
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    // index.html and the rest are revalidated on every load; config.json is CrmConsoleConfig's.
    new BucketDeployment(this, 'Pages', {
      sources: [Source.asset(props.distDir)],
      destinationBucket: this.bucket,
      ...deploymentHandler(this, config),
      destinationKeyPrefix: `${CONSOLE_PREFIX}/`,
      exclude: ['assets/*', 'config.json'],
      cacheControl: [CacheControl.noCache()],
    });

    new CfnOutput(this, 'ConsoleUrl', { value: `${this.origin}/${CONSOLE_PREFIX}/` });
    new CfnOutput(this, 'ConsoleBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId });

    this.acknowledgeFindings();
    acknowledgeDeploymentHandler(this, ownBucketObjects(this, this.bucket));
  }

  private acknowledgeFindings(): void {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "The bucket holds the console's public build output only, read through CloudFront; it keeps no data to audit.",
    });
    const distribution = this.distribution;
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The console is for any country the team works in; the API decides who may sign in.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static files only (no data, no forms posted here); a web ACL would bill per request for nothing to inspect. The API is separate.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "Static files only; the API's access log records every call that touches data. Standard logging can be added with a log bucket.",
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "The default *.cloudfront.net certificate cannot pin a minimum TLS version; a custom domain's certificate can (TLSv1.2_2021).",
      },
    );
  }
}

function referrerPolicyOf(value: string): HeadersReferrerPolicy {
  const policy = Object.values(HeadersReferrerPolicy).find((candidate) => candidate === value);
  if (!policy) throw new Error(`CloudFront has no referrer policy ${value}`);
  return policy;
}
