import { loadDataSplit, type DataSplit } from "../data/index.ts";
import type { TrainingConfig } from "../sgan/index.ts";

/**
 * Loaded data splits by (dataset, image size, limit): a sweep's runs share them, and loading and
 * resizing 10,000 digits costs about a second per run otherwise. Holds a few at most.
 */
export class DatasetCache {
  private readonly entries = new Map<string, Promise<DataSplit>>();

  constructor(private readonly capacity = 4) {}

  get(config: Pick<TrainingConfig, "dataset" | "imgSize" | "limit">): Promise<DataSplit> {
    const key = JSON.stringify([config.dataset, config.imgSize, config.limit ?? null]);
    let entry = this.entries.get(key);
    if (!entry) {
      const source = config.dataset === "mnist" ? "mnist" : { idxDir: config.dataset };
      entry = loadDataSplit({ source, imgSize: config.imgSize, limit: config.limit });
      // A failed load is not cached: the next run retries it.
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    return entry;
  }
}
