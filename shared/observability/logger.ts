import { Logger } from '@aws-lambda-powertools/logger';
import { config } from '../config.ts';

/**
 * The one logger of every function and shared module: one JSON line per call
 * on stdout, `{level, message, timestamp, service, sampling_rate, ...fields}`
 * plus the invocation's correlation keys (see invocation.ts).
 *
 * Configured from the environment by Powertools itself: the level from
 * AWS_LAMBDA_LOG_LEVEL (Lambda's log level control, which wins when set) or
 * POWERTOOLS_LOG_LEVEL (INFO by default), debug sampling from
 * POWERTOOLS_LOGGER_SAMPLE_RATE (0 to 1, drawn per invocation).
 */
export const logger = new Logger({ serviceName: serviceName() });

/**
 * The `service` of every log line and metric: POWERTOOLS_SERVICE_NAME if set,
 * else the Lambda function's name (CloudFormation names it after its construct,
 * `CrmApi-contactsfunction…`, `CrmSchedule-reminder`), else `crm` (`npm start`,
 * tests, where every function shares one process).
 */
export function serviceName(): string {
  return config.serviceName;
}

/** An error as log fields: name and message, never the stack or SDK internals. */
export function errorFields(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

/**
 * Logs a failure: `fields`, plus `error` when given (an Error as its name and
 * message, never the stack or SDK internals; anything else as it is).
 */
export function logFailure(
  level: 'error' | 'warn',
  message: string,
  fields: Record<string, unknown>,
  error?: unknown,
): void {
  const details = error instanceof Error ? { name: error.name, message: error.message } : error;
  logger[level](message, { ...fields, ...(error === undefined ? {} : { error: details }) });
}
