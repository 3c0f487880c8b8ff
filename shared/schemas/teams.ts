import * as z from 'zod/mini';
import { nonEmpty, recordBase } from './common.ts';

export const teamCreate = z.strictObject({ name: nonEmpty(100) });
export const teamPatch = z.strictObject({ name: nonEmpty(100) });
export const team = z.object({ ...recordBase, name: z.string() });

export type TeamCreate = z.output<typeof teamCreate>;
