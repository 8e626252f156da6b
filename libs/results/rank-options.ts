import { z } from "zod";
import { inputIssues } from "../validation/index.ts";
import { RankOptionsError } from "./errors.ts";
import {
  DEFAULT_OBJECTIVE,
  defaultDirection,
  OBJECTIVE_DIRECTIONS,
  penaltySchema,
  RANK_METRICS,
  RANK_SCOPES,
  windowSchema,
  type Objective,
} from "./objective.ts";

export type ResolvedRankOptions = Objective & { limit: number };
export type RankOptions = Partial<ResolvedRankOptions>;

/** Query-string values arrive as strings; a blank one stays a string so that it is refused, not read as 0. */
const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() !== "" ? Number(value) : value), schema);

/** Each option left out falls back on the sweep's objective. */
export const rankOptionsSchema = z.object({
  metric: z.enum(RANK_METRICS).optional(),
  scope: z.enum(RANK_SCOPES).optional(),
  k: numeric(windowSchema).optional(),
  penalty: numeric(penaltySchema).optional(),
  direction: z.enum(OBJECTIVE_DIRECTIONS).optional(),
  limit: numeric(z.number().int().min(1).max(1000)).default(10),
});

/**
 * Ranking options from an Express query or from code over the sweep's objective (by default the
 * default objective): each option given overrides the objective's. Another metric without a
 * direction takes that metric's default direction, not the objective's. Keys other than these are
 * ignored, so that a route can take its own parameters next to them.
 */
export function parseRankOptions(query: Record<string, unknown>, objective: Objective = DEFAULT_OBJECTIVE): ResolvedRankOptions {
  const result = rankOptionsSchema.safeParse(query);
  if (!result.success) throw new RankOptionsError(inputIssues(result.error, query));
  const { metric = objective.metric, scope = objective.scope, k = objective.k, penalty = objective.penalty, direction, limit } = result.data;
  return { metric, scope, k, penalty, direction: direction ?? (metric === objective.metric ? objective.direction : defaultDirection(metric)), limit };
}
