import type { RunProgressSnapshot } from "../results/index.ts";
import type { BatchProgress } from "../sgan/index.ts";

/** Live progress of the runs a worker process is training, for heartbeats and job progress. */
export class ProgressTracker {
  private readonly runs = new Map<string, RunProgressSnapshot>();

  update(runId: string, sweepId: string, epochs: number, batchSize: number, progress: BatchProgress): RunProgressSnapshot {
    const remainingBatches = (epochs - progress.epoch) * progress.batches + (progress.batches - progress.batch);
    const etaSeconds = progress.samplesPerSec > 0 ? (remainingBatches * batchSize) / progress.samplesPerSec : null;
    const snapshot = { runId, sweepId, epochs, ...progress, etaSeconds };
    this.runs.set(runId, snapshot);
    return snapshot;
  }

  remove(runId: string): void {
    this.runs.delete(runId);
  }

  snapshot(): Record<string, RunProgressSnapshot> {
    return Object.fromEntries(this.runs);
  }

  runIds(): string[] {
    return [...this.runs.keys()];
  }
}
