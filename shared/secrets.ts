import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from './config.ts';

/**
 * The key that signs cursors and public links. Locally `SIGNING_SECRET` holds it
 * (generated into the data folder by `npm start`); in AWS the function reads the
 * Secrets Manager secret named by `SIGNING_SECRET_ARN` once per container.
 */
let signingKey: Promise<Buffer> | undefined;

export function getSigningKey(): Promise<Buffer> {
  signingKey ??= loadSigningKey().catch((error: unknown) => {
    signingKey = undefined;
    throw error;
  });
  return signingKey;
}

async function loadSigningKey(): Promise<Buffer> {
  const inline = config.signingSecret;
  if (inline) return Buffer.from(inline, 'utf8');
  const arn = config.signingSecretArn;
  if (!arn) throw new Error('Missing SIGNING_SECRET or SIGNING_SECRET_ARN');
  const client = new SecretsManagerClient({});
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error('The signing secret is empty');
  return Buffer.from(SecretString, 'utf8');
}
