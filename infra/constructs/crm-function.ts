import { join } from 'node:path';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { cdkBundling, projectRoot, sourceMapsEnabled } from '../bundling.ts';

export interface CrmFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/http/contacts.ts`. */
  readonly entry: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * 512 MB by default. Lambda gives CPU in proportion to memory, and cold starts (module
   * init of the bundled SDK and zod) are CPU-bound and get twice the CPU of 256 MB, while
   * the handlers themselves mostly wait on DynamoDB, so more memory buys little beyond that. `npm run bench` measures init time; raise it per function if it says so.
   */
  readonly memorySize?: number;
  /** 10 s by default: well under API Gateway's 30 s integration limit, far above a DynamoDB round trip. */
  readonly timeout?: Duration;
}

/**
 * A Lambda function with the project's defaults set once: Node.js 24 on ARM (Graviton is
 * cheaper per ms), ESM bundle from bundling.ts, X-Ray tracing, JSON logs to its own log
 * group with a retention, and its own role that may write only to that log group (instead
 * of the AWSLambdaBasicExecutionRole managed policy, which allows every log group).
 */
export class CrmFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CrmFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      description: props.description,
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: Tracing.ACTIVE,
      bundling: cdkBundling,
      environment: {
        ...(sourceMapsEnabled ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
    });

    // Tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role's policy.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions. ' +
        'test/infra asserts that "*" is only ever granted for these (and dynamodb:ListStreams).',
    });
  }
}
