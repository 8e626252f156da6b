// The API's contract with its clients, apart from the figures: what the dashboard's bundle loads
// (the rest of libs/results brings the ranking's schemas, and zod with them).
export { RUN_STATUSES, UNFINISHED_RUN_STATUSES, SWEEP_STATUSES, isFinalRunStatus } from "./statuses.ts";
export type { RunStatus, RunCounts, SweepStatus } from "./statuses.ts";
export { LIVE_EVENT_TYPES } from "./events.ts";
export type { LabelsEvent, LiveEvent, RunProgressEvent, RunEpochEvent, RunStatusEvent, WorkerEvent, RunProgressSnapshot } from "./events.ts";
export { CONFIGURATION_FIGURE } from "./configuration-summary.ts";
export type { ConfigurationSummary, PooledRunFigure } from "./configuration-summary.ts";
export { ApiError, apiErrorBody } from "./api-error.ts";
export type { ApiIssue, ApiErrorBody } from "./api-error.ts";
export { classAccuracies, confusionAccuracy, confusionTotal } from "./confusion.ts";
export type { ConfusionMatrix } from "./confusion.ts";
export type {
  BestConfigurationEntry,
  BestOptions,
  BestResponse,
  BestRunEntry,
  CancelResponse,
  DeleteResponse,
  DryRunResponse,
  EpochRow,
  ExtendResponse,
  ImportanceResponse,
  IsoDate,
  LineageResponse,
  PauseResponse,
  PbtDecisionRow,
  PbtLineageRun,
  PbtScheduleSegment,
  ResumeResponse,
  RetryResponse,
  RunDetail,
  RunEventRow,
  RunEpochRow,
  RunMetrics,
  RunRecord,
  RunRow,
  StoredSweepConfig,
  SubmitResponse,
  SweepDetail,
  SweepPlan,
  SweepItem,
  SweepList,
  SweepMetrics,
  SweepRecord,
  SweepRunMetrics,
  SweepRuns,
  SweepTrial,
  WorkerInfo,
  WorkerList,
} from "./api.ts";
export { distinguishingDigits, parameterFormat, PARAMETER_SHORT_NAMES, varyingParameters } from "./parameter-format.ts";
export type { ParameterFormat } from "./parameter-format.ts";
