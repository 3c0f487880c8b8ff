import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';

/**
 * The least privilege for Converse on one Bedrock model (shared/language-model/bedrock.ts):
 * Converse is authorised as `bedrock:InvokeModel`.
 * - A foundation model id: that model in the stack's region, nothing else.
 * - A cross-region inference profile id (`eu.`, `us.`, `apac.`, ... before the model id): the
 *   profile in this account and region, and the profile's foundation model in any region the
 *   profile routes to (which AWS chooses), only when called through that profile
 *   (`bedrock:InferenceProfileArn`).
 */

/** Geography prefixes of Bedrock's system-defined cross-region inference profiles. */
const profilePrefixes = new Set(['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global']);

/** The foundation model an inference profile id routes to, or undefined for a foundation model id. */
export function profileModel(modelId: string): string | undefined {
  const dot = modelId.indexOf('.');
  if (dot <= 0) return undefined;
  const prefix = modelId.slice(0, dot);
  const rest = modelId.slice(dot + 1);
  return profilePrefixes.has(prefix) && rest.includes('.') ? rest : undefined;
}

export function languageModelStatements(modelId: string): PolicyStatement[] {
  const model = profileModel(modelId);
  if (model === undefined)
    return [
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [`arn:${Aws.PARTITION}:bedrock:${Aws.REGION}::foundation-model/${modelId}`],
      }),
    ];
  const profileArn = `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:inference-profile/${modelId}`;
  return [
    new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [profileArn] }),
    new PolicyStatement({
      actions: ['bedrock:InvokeModel'],
      resources: [`arn:${Aws.PARTITION}:bedrock:*::foundation-model/${model}`],
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
    }),
  ];
}
