import { interpretSegment } from '#shared/domain/segment-language/interpret';
import {
  checkSegmentEvalSet,
  describeMiss,
  evaluateSegmentSet,
  HOLDOUT_MIN_SENTENCES,
  HOLDOUT_SET_FILE,
  MAIN_SET_FILE,
  MIN_SENTENCES,
  meetsTargets,
  readSegmentEvalSet,
  summaryLine,
} from './segment-eval.ts';

/**
 * `npm run eval:segments`: interprets every sentence of the main set
 * (test/eval/segment-sentences.json) and of the held-out set
 * (segment-sentences-holdout.json, written without seeing the interpreter) with
 * the real interpreter, prints each miss (id, text, expected vs got, unmatched)
 * and one summary line per set, and exits 1 when either set is unsound (each
 * has its own minimum size), below TARGET_EXACT_PERCENT exact, or with any
 * wrong filter presented as understood.
 */
const sets = [
  { file: MAIN_SET_FILE, label: 'Plain-language segments', min: MIN_SENTENCES },
  { file: HOLDOUT_SET_FILE, label: 'Held-out', min: HOLDOUT_MIN_SENTENCES },
] as const;
const lines: string[] = [];
for (const { file, label, min } of sets) {
  const set = readSegmentEvalSet(undefined, file);
  const problems = checkSegmentEvalSet(set, min);
  if (problems.length > 0) {
    console.error(`${file} has ${problems.length} problem(s):\n${problems.join('\n')}`);
    process.exitCode = 1;
    continue;
  }
  const { results, summary } = evaluateSegmentSet(interpretSegment, set);
  for (const result of results) if (!result.exact) console.log(`[${label}] ${describeMiss(result)}`);
  lines.push(summaryLine(summary, label));
  if (!meetsTargets(summary)) process.exitCode = 1;
}
for (const line of lines) console.log(line);
