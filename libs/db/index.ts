// The storage layer of the sweep platform (PostgreSQL through Prisma). Other code imports the
// database only from here, never @prisma/client or the generated client.
export { openDatabase, type Database } from "./client.ts";
export { migrateDatabase } from "./migrate.ts";
export { deploymentId } from "./deployment.ts";
export { advanceStudyRecord, listAdaptiveSweepIds, type StudyState, type StudyStep } from "./study.ts";
export { DEFAULT_DATABASE_URL, maskDatabaseUrl, resolveDatabaseUrl } from "./url.ts";
export { connectionProblem, DatabaseUnavailableError, IdempotencyKeyTakenError, RunNotFoundError, RunOwnershipLostError, WorkerNotRegisteredError } from "./errors.ts";
export * from "./types.ts";
export { cancelSweep, createSweepWithRuns, findSweepByIdempotencyKey, getSweep, getSweepRuns, listSweepRuns, listSweeps } from "./sweeps.ts";
export { countRequeues, finishRun, getRun, listUnfinishedRuns, requeueRun, runOwner, startRun } from "./runs.ts";
export { getRunEpochs, getSample, listSampleEpochs, recordEpoch } from "./epochs.ts";
export { loadBestCheckpoint, loadCheckpoint, saveCheckpoint } from "./checkpoints.ts";
export { listPbtDecisions, pbtLaggards, PbtDecisionError, recordPbtDecision, type PbtDecision, type PbtRunConfig, type PbtState, type PbtStep } from "./pbt.ts";
export { deleteSweep, pauseSweep, raiseTrialBudget, resumeSweep, retryRun, RETRYABLE_RUN_STATUSES, type HeldRuns, type RetriedRun, type Unchanged } from "./lifecycle.ts";
export { countRunsByStatus } from "./counts.ts";
export { relabelRun, relabelSweep, type Labels, type Relabel } from "./labels.ts";
export { heartbeatWorker, listWorkers, registerWorker, stopWorker, WORKER_ALIVE_MS } from "./workers.ts";
