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

/** BullMQ priorities run 1 (first) .. 2^21; 0 means "no priority" and would overtake every prioritised job. */
export function bullPriority(sweepPriority: number): number {
  return 101 - sweepPriority;
}
