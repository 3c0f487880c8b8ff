import {
  type CustomFieldEntity,
  changedCustomFieldKeys,
  customFieldIssues,
} from '../domain/custom-fields.ts';
import { readCustomFieldDefinitions } from '../store/custom-fields.ts';
import type { Caller } from './auth.ts';
import { invalidFields } from './problem.ts';

/**
 * The check of a write's `customFields` against the entity's definitions
 * (shared/domain/custom-fields.ts), as a 400 problem+json whose errors name
 * `customFields.<key>`. Costs one consistent GetItem of the definitions.
 */

type Values = Readonly<Record<string, unknown>>;

/**
 * Create: always read, since a required field must be present even when the
 * body has no `customFields`. Throws 400 listing every issue.
 */
export async function checkNewCustomFields(
  caller: Caller,
  entity: CustomFieldEntity,
  values: Values | undefined,
): Promise<void> {
  const definitions = await readCustomFieldDefinitions(caller.tenantId, entity);
  const next = values ?? {};
  const issues = customFieldIssues(definitions, next, Object.keys(next), 'create');
  if (issues.length > 0) throw invalidFields(issues);
}

/**
 * A merge patch: reads the definitions only when the patch names
 * `customFields`, and answers the check to run on each attempt of the write
 * (before and after the patch; only the keys whose value changes are judged,
 * so values of a removed definition survive writes that leave them alone).
 */
export async function customFieldsPatchCheck(
  caller: Caller,
  entity: CustomFieldEntity,
  patch: { readonly customFields?: unknown },
): Promise<(before: { customFields?: Values }, after: { customFields?: Values }) => void> {
  if (patch.customFields === undefined) return () => {};
  const definitions = await readCustomFieldDefinitions(caller.tenantId, entity);
  return (before, after) => {
    const stored = before.customFields ?? {};
    const next = after.customFields ?? {};
    const issues = customFieldIssues(definitions, next, changedCustomFieldKeys(stored, next), 'patch');
    if (issues.length > 0) throw invalidFields(issues);
  };
}
