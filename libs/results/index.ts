// What a sweep's runs produced and how it is read: run and configuration figures, rankings, and the
// API's contract with its clients. Browser-safe (no tfjs, no Node.js modules): the API, the CLI and
// the dashboard all import it, so each shape is stated once.
export { summarizeRun } from "./run-summary.ts";
export type { EpochPoint, RunSummary } from "./run-summary.ts";
export { summarizeConfigurations } from "./configuration-summary.ts";
export type { SummarizedRun } from "./configuration-summary.ts";
export {
  DEFAULT_OBJECTIVE,
  defaultDirection,
  EPOCH_METRIC,
  OBJECTIVE_DIRECTIONS,
  OBJECTIVE_KEYS,
  objectiveSchema,
  RANK_METRICS,
  RANK_SCOPES,
} from "./objective.ts";
export type { Objective, ObjectiveDirection, RankMetric, RankScope } from "./objective.ts";
export { parseRankOptions, rankOptionsSchema } from "./rank-options.ts";
export type { RankOptions, ResolvedRankOptions } from "./rank-options.ts";
export { rankRuns, rankConfigurations, scoreRun, RANKED_RUN_STATUS } from "./rank.ts";
export type { LeftOutReason, RankableRun, RankableConfiguration, RankedRun, RankedConfiguration, Ranking } from "./rank.ts";
export { RankOptionsError } from "./errors.ts";
export { bestSoFar } from "./trials.ts";
export { perturbationText } from "./perturbation-text.ts";
export { endReason } from "./run-ending.ts";
export { changedTags, labelsChangeSchema, MAX_NOTE_CHARS, MAX_TAG_CHARS, MAX_TAGS, noteSchema, tagSchema, tagsSchema } from "./labels.ts";
export type { LabelsChange } from "./labels.ts";
export * from "./contract.ts";
export { EXPORT_FORMATS, EXPORT_ROWS, exportValue, float32Text, toCsv, toExportJson } from "./export-table.ts";
export type { ColumnKind, ExportColumn, ExportTable, ExportValue, SweepExportJson } from "./export-table.ts";
