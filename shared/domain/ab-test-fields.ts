import type { AbTestFields } from './ab-test.ts';
import { partProblem } from './template-syntax.ts';

/**
 * The check of a campaign's A/B fields, apart from ab-test.ts: it parses
 * subjects with Handlebars' parser, which only the campaigns function needs
 * (the schemas and stores that import ab-test.ts stay free of it). The
 * subjects are compiled when the campaign is frozen (campaign-run.ts), by the
 * campaign start, so that the campaigns function carries no compiler.
 */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * What is wrong with a campaign's A/B fields as a whole (empty when fine):
 * every variant subject must compile as a template subject (no control
 * characters) and differ from the others, and `testPercent`
 * and `decideAfterHours` come with `variants` and only with them (`winnerBy`
 * too). The ranges themselves are checked by the schema.
 */
export function abTestProblems(fields: AbTestFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  // An emptied list (a merge patch's null on a list) is no test.
  const variants = fields.variants?.length ? fields.variants : undefined;
  if (!variants) {
    for (const name of ['testPercent', 'winnerBy', 'decideAfterHours'] as const)
      if (fields[name] !== undefined && fields[name] !== null)
        problems.push({ path: name, message: 'is only allowed with variants' });
    return problems;
  }
  const seen = new Map<string, number>();
  variants.forEach((variant, index) => {
    const error = partProblem(variant.subject, 'subject');
    if (error) problems.push({ path: `variants.${index}.subject`, message: error.message });
    const first = seen.get(variant.subject);
    if (first !== undefined)
      problems.push({
        path: `variants.${index}.subject`,
        message: `is the same as variants.${first}.subject; each variant needs its own subject`,
      });
    else seen.set(variant.subject, index);
  });
  for (const name of ['testPercent', 'decideAfterHours'] as const)
    if (fields[name] === undefined || fields[name] === null)
      problems.push({ path: name, message: 'is required with variants' });
  return problems;
}
