/**
 * Environment read once per container. Endpoints for local emulators come from the
 * SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, ...),
 * so no handler knows whether it runs in AWS or under `npm start`.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export const config = {
  get tableName(): string {
    return required('TABLE_NAME');
  },
  /** `cognito` in AWS; `local` under `npm start`, where the token CLI stands in for sign-up. */
  get userDirectory(): 'cognito' | 'local' {
    return process.env.USER_DIRECTORY === 'cognito' ? 'cognito' : 'local';
  },
  get userPoolId(): string {
    return required('USER_POOL_ID');
  },
};
