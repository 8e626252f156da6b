/**
 * A sweep as a study: its stored runs as the sampler's trials and the pruner's curves, what to ask
 * next, and whether a run that just recorded an epoch trains on. Pure: callers load the runs and
 * store the answers (libs/service's study loop, the worker's pruning).
 */
export { prunerRuns, samplerTrials, studyRunOf, trialGroups } from "./study-runs.ts";
export type { StudyEpoch, StudyRun } from "./study-runs.ts";
export { judgeEpoch } from "./judge.ts";
export type { PruningSettings } from "./judge.ts";
export { nextTrials, parallelismOf } from "./next-trials.ts";
export { studyConfig } from "./stored-config.ts";
export { importanceSettings, studyImportance } from "./importance.ts";
export { pbtMembers, pbtStep } from "./pbt.ts";
export type { PbtRunStep } from "./pbt.ts";
export { pbtSchedule, replayConfig } from "./pbt-schedule.ts";
export type { ScheduleExploit, ScheduleRun } from "./pbt-schedule.ts";
