import { interpretSegment } from '#shared/domain/segment-language/interpret';
import {
  checkSegmentEvalSet,
  describeMiss,
  evaluateSegmentSet,
  meetsTargets,
  readSegmentEvalSet,
  summaryLine,
} from './segment-eval.ts';

/**
 * `npm run eval:segments`: interprets every sentence of test/eval/segment-sentences.json
 * with the real interpreter, prints each miss (id, text, expected vs got, unmatched)
 * and one summary line, and exits 1 when the set itself is unsound, below
 * TARGET_EXACT_PERCENT exact, or with any wrong filter presented as understood.
 */
const set = readSegmentEvalSet();
const problems = checkSegmentEvalSet(set);
if (problems.length > 0) {
  console.error(`The evaluation set has ${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exitCode = 1;
} else {
  const { results, summary } = evaluateSegmentSet(interpretSegment, set);
  for (const result of results) if (!result.exact) console.log(describeMiss(result));
  console.log(summaryLine(summary));
  if (!meetsTargets(summary)) process.exitCode = 1;
}
