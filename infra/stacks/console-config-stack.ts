import { Stack, type StackProps } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { CrmConfig } from '../config.ts';
import { acknowledgeDeploymentHandler, deploymentHandler } from '../constructs/console-deployment.ts';
import { CONSOLE_PREFIX, consoleBucketName } from './console-stack.ts';

/** The scopes the console asks the hosted UI for (the ID token then carries email and name). */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile'] as const;

export interface ConsoleConfigStackProps extends StackProps {
  readonly config: CrmConfig;
  /** https://<distribution domain> (CrmConsole). */
  readonly consoleOrigin: string;
  /** The API's base URL (CrmApi). */
  readonly apiUrl: string;
  /** The hosted UI's base URL and the console's app client (CrmApi). */
  readonly hostedUiUrl: string;
  readonly clientId: string;
}

/**
 * app/config.json, the console's runtime settings (console/src/config.ts), written at deploy
 * time from the other stacks' values: the last stack, as it needs both CrmConsole (the bucket,
 * its origin) and CrmApi (the URL, the hosted UI, the app client).
 */
export class ConsoleConfigStack extends Stack {
  constructor(scope: Construct, id: string, props: ConsoleConfigStackProps) {
    super(scope, id, props);
    // By name (CrmConsole names it): the grant is then on a name, not on another stack's export.
    const bucketName = consoleBucketName(props.config.stage);
    new BucketDeployment(this, 'Config', {
      sources: [
        Source.jsonData(`${CONSOLE_PREFIX}/config.json`, {
          apiUrl: props.apiUrl,
          auth: {
            mode: 'cognito',
            domain: props.hostedUiUrl,
            clientId: props.clientId,
            redirectUri: `${props.consoleOrigin}/${CONSOLE_PREFIX}/callback`,
            scopes: CONSOLE_SCOPES,
          },
        }),
      ],
      destinationBucket: Bucket.fromBucketName(this, 'ConsoleBucket', bucketName.physical),
      ...deploymentHandler(this, props.config),
      // The console's own files are CrmConsole's deployments.
      prune: false,
      cacheControl: [CacheControl.noCache()],
    });
    acknowledgeDeploymentHandler(this, `arn:<AWS::Partition>:s3:::${bucketName.shown}/*`);
  }
}
