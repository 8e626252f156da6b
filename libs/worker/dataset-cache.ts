import { dataRoot, loadDataSplit, type DataSplit } from "../data/index.ts";
import type { TrainingConfig } from "../sgan/index.ts";

interface Entry {
  split: Promise<DataSplit>;
  /** Stops the load once every run waiting for it has been stopped. */
  controller: AbortController;
  /** Runs waiting for the load (one without a signal never leaves, so its load is never stopped). */
  waiting: number;
}

/**
 * Loaded data splits by (dataset, image size, limit): a sweep's runs share them, and loading and
 * resizing 10,000 digits costs about a second per run otherwise. Holds a few at most. Datasets are
 * names under this worker's data root, resolved there on every load.
 */
export class DatasetCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly capacity = 4,
    private readonly root = dataRoot(),
  ) {}

  /** The run's split; `signal` (the run's stop) stops waiting, and stops the load if no other run waits for it. */
  get(config: Pick<TrainingConfig, "dataset" | "imgSize" | "limit">, signal?: AbortSignal): Promise<DataSplit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const key = JSON.stringify([config.dataset, config.imgSize, config.limit ?? null]);
    const entry = this.entries.get(key) ?? this.load(key, config);
    return this.wait(key, entry, signal);
  }

  private load(key: string, config: Pick<TrainingConfig, "dataset" | "imgSize" | "limit">): Entry {
    const controller = new AbortController();
    const split = loadDataSplit({ source: { dataset: config.dataset, root: this.root }, imgSize: config.imgSize, limit: config.limit, signal: controller.signal });
    const entry: Entry = { split, controller, waiting: 0 };
    // A failed load is not cached: the next run retries it.
    split.catch(() => this.forget(key, entry));
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  private wait(key: string, entry: Entry, signal?: AbortSignal): Promise<DataSplit> {
    entry.waiting += 1;
    if (!signal) return entry.split;
    return new Promise((resolve, reject) => {
      let waiting = true;
      const leave = () => {
        if (!waiting) return false;
        waiting = false;
        signal.removeEventListener("abort", stop);
        entry.waiting -= 1;
        return true;
      };
      const stop = () => {
        if (!leave()) return;
        if (entry.waiting === 0) {
          this.forget(key, entry);
          entry.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener("abort", stop, { once: true });
      entry.split.then(
        (split) => leave() && resolve(split),
        (error: unknown) => leave() && reject(error),
      );
    });
  }

  private forget(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
}
