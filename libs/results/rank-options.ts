import { z } from "zod";
import { inputIssues } from "../validation/index.ts";
import { RankOptionsError } from "./errors.ts";

export const RANK_METRICS = ["testAccuracy", "dAcc", "dLoss", "gLoss"] as const;
export const RANK_SCOPES = ["last", "lastK", "max"] as const;

export type RankMetric = (typeof RANK_METRICS)[number];
export type RankScope = (typeof RANK_SCOPES)[number];

export interface RankOptions {
  metric?: RankMetric;
  scope?: RankScope;
  k?: number;
  penalty?: number;
  limit?: number;
}

export type ResolvedRankOptions = Required<RankOptions>;

/** Query-string values arrive as strings; a blank one stays a string so that it is refused, not read as 0. */
const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() !== "" ? Number(value) : value), schema);

export const rankOptionsSchema = z.object({
  metric: z.enum(RANK_METRICS).default("testAccuracy"),
  scope: z.enum(RANK_SCOPES).default("last"),
  k: numeric(z.number().int().min(1).max(1000)).default(5),
  penalty: numeric(z.number().min(0).max(1000)).default(0),
  limit: numeric(z.number().int().min(1).max(1000)).default(10),
});

/**
 * Ranking options from an Express query or from code, defaults filled in. Keys other than these are
 * ignored, so that a route can take its own parameters next to them.
 */
export function parseRankOptions(query: Record<string, unknown>): ResolvedRankOptions {
  const result = rankOptionsSchema.safeParse(query);
  if (!result.success) throw new RankOptionsError(inputIssues(result.error, query));
  return result.data;
}
