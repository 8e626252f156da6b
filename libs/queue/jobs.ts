import type { TrainingConfig } from "../sgan/index.ts";

export const DEFAULT_QUEUE_NAME = "sgan-runs";

/** What a run's job carries: the run id is the key to everything else in PostgreSQL. */
export interface RunJobData {
  runId: string;
  sweepId: string;
  params: TrainingConfig;
}

/** Why a processor returned without training to the end. */
export type RunJobResult = "completed" | "diverged" | "cancelled" | "pruned" | "skipped" | "held";

export interface RunJobSpec {
  runId: string;
  sweepId: string;
  params: TrainingConfig;
  /** Sweep priority, -100..100: higher runs first. */
  priority: number;
}

/** Epochs are at most 1000 (the training schema), so each sweep priority's band holds every epoch count. */
const PROGRESS_BAND = 1024;

/**
 * BullMQ priorities run 1 (first) .. 2^21; 0 means "no priority" and would overtake every prioritised
 * job. Each sweep priority owns a band of PROGRESS_BAND values, ordered by epochs done: a pbt run that
 * yields its slot at a boundary queues behind its population's laggards, never behind another sweep.
 */
export function bullPriority(sweepPriority: number, epochsDone = 0): number {
  return (101 - sweepPriority) * PROGRESS_BAND + 1 + Math.min(Math.max(epochsDone, 0), PROGRESS_BAND - 1);
}
