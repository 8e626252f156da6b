export { TrainingWorker, type TrainingWorkerOptions } from "./training-worker.ts";
export { DatasetCache } from "./dataset-cache.ts";
