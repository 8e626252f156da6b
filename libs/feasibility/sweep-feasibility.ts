import { dataRoot, datasetLabels, DataError, labeledMask, trainingSplitLabels } from "../data/index.ts";
import { trainingConfigSchema, type TrainingConfig } from "../sgan/index.ts";
import { SweepConfigError, toDistribution, type Scalar, type SweepConfig, type SweepIssue } from "../sweep/index.ts";
import { estimateRunMemory, type RunShape } from "./run-memory.ts";

const MB = 2 ** 20;
export const MAX_RUN_MEMORY_ENV = "SGAN_MAX_RUN_MEMORY_MB";
/**
 * A wasm worker's tensors share one heap of at most 4 GiB per process; this leaves a quarter of it
 * to spare for a worker training one run at a time (the default). Lower it for --concurrency N.
 */
export const DEFAULT_MAX_RUN_MEMORY_MB = 3072;

export interface FeasibilityLimits {
  /** Where the sweep's dataset is looked up: the root the workers use too. */
  dataRoot: string;
  maxRunMemoryMb: number;
}

export function feasibilityLimits(env: NodeJS.ProcessEnv = process.env): FeasibilityLimits {
  const configured = env[MAX_RUN_MEMORY_ENV]?.trim();
  const maxRunMemoryMb = configured ? Number(configured) : DEFAULT_MAX_RUN_MEMORY_MB;
  if (!Number.isInteger(maxRunMemoryMb) || maxRunMemoryMb < 1) {
    throw new Error(`${MAX_RUN_MEMORY_ENV} must be a whole number of megabytes, got ${JSON.stringify(configured)}`);
  }
  return { dataRoot: dataRoot(env), maxRunMemoryMb };
}

/**
 * Refuses, before anything is stored, a sweep that some worker would fail to run: its dataset
 * missing or unreadable, `limit` or `labeled` beyond what the dataset's training split holds, or a
 * run whose estimated memory is over the cap. Every run the sweep can plan is covered by checking
 * the worst case of each parameter's values (random draws included): memory rises with batchSize,
 * latentDim and imgSize, labeled fits less the larger it is, and of the architectures and class
 * heads the sweep can pick, the one needing the most memory counts.
 */
export async function checkSweepFeasible(config: SweepConfig, limits: FeasibilityLimits = feasibilityLimits()): Promise<void> {
  const worst = worstCase(config);
  const issues = [...(await datasetIssues(config, worst.labeledCount, limits)), ...memoryIssues(worst.shape, limits.maxRunMemoryMb)];
  if (issues.length > 0) throw new SweepConfigError(issues);
}

interface WorstCase {
  shape: RunShape;
  /** The largest number of labels a run may ask for; null when every run takes all labels. */
  labeledCount: number | null;
}

function worstCase(config: SweepConfig): WorstCase {
  const defaults: TrainingConfig = trainingConfigSchema.parse({ ...config.fixed });
  const values = (field: "batchSize" | "latentDim" | "labeled" | "spectralNorm" | "architecture" | "classHead"): Scalar[] => {
    const spec = config.parameters[field];
    return spec === undefined ? [defaults[field]] : toDistribution(spec).probes();
  };
  const counts = values("labeled").filter((value): value is number => typeof value === "number");
  const largest: Omit<RunShape, "architecture" | "classHead"> = {
    batchSize: Math.max(...(values("batchSize") as number[])),
    latentDim: Math.max(...(values("latentDim") as number[])),
    imgSize: defaults.imgSize,
    labeled: counts.length > 0 ? Math.max(...counts) : "all",
    spectralNorm: values("spectralNorm").includes(true),
  };
  // The networks are no ordered choice: the one that needs the most memory at the largest sizes.
  const networks = (values("architecture") as RunShape["architecture"][]).flatMap((architecture) =>
    (values("classHead") as RunShape["classHead"][]).map((classHead) => ({ ...largest, architecture, classHead })),
  );
  const shape = networks.reduce((worst, next) => (estimateRunMemory(next).totalBytes > estimateRunMemory(worst).totalBytes ? next : worst));
  return { shape, labeledCount: counts.length > 0 ? Math.max(...counts) : null };
}

async function datasetIssues(config: SweepConfig, labeledCount: number | null, limits: FeasibilityLimits): Promise<SweepIssue[]> {
  const { dataset, limit } = config.fixed;
  let labels;
  try {
    labels = await datasetLabels({ dataset, root: limits.dataRoot });
  } catch (error) {
    if (error instanceof DataError) return [{ path: "fixed.dataset", message: error.message }];
    throw error;
  }
  let train: Int32Array;
  try {
    train = trainingSplitLabels(labels, limit);
  } catch (error) {
    if (error instanceof DataError) return [{ path: "fixed.limit", message: `dataset ${JSON.stringify(dataset)}: ${error.message}` }];
    throw error;
  }
  if (labeledCount === null) return [];
  try {
    labeledMask(train, labeledCount, 0);
    return [];
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    const split = `the training split of dataset ${JSON.stringify(dataset)}${limit === undefined ? "" : ` with limit ${limit}`}`;
    return [{ path: "parameters.labeled", message: `${split} cannot give ${labeledCount} labels (${error.message}): at most ${largestLabeled(train)}` }];
  }
}

/** The most labels labeledMask can spread over these classes (its quotas: n/10 each, the remainder to the lowest classes). */
function largestLabeled(labels: Int32Array): number {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]++;
  const fits = (n: number) => counts.every((count, label) => Math.floor(n / 10) + (label < n % 10 ? 1 : 0) <= count);
  return largestFitting(0, labels.length, fits) ?? 0;
}

function memoryIssues(shape: RunShape, capMb: number): SweepIssue[] {
  const cap = capMb * MB;
  const needed = estimateRunMemory(shape).totalBytes;
  if (needed <= cap) return [];
  const networks = shape.architecture === "seed" ? "" : `, architecture ${shape.architecture}`;
  const largest = `the largest run this sweep can plan (batchSize ${shape.batchSize}, latentDim ${shape.latentDim}, imgSize ${shape.imgSize}${networks}) needs about ${Math.ceil(needed / MB)} MB, more than the ${capMb} MB a run may use (${MAX_RUN_MEMORY_ENV})`;
  const fits = (change: Partial<RunShape>) => estimateRunMemory({ ...shape, ...change }).totalBytes <= cap;
  const lower = (field: "batchSize" | "latentDim", min: number): SweepIssue => {
    const most = largestFitting(min, shape[field] - 1, (value) => fits({ [field]: value }));
    const advice = most === null ? `lowering ${field} alone is not enough` : `lower ${field} to at most ${most}`;
    return { path: `parameters.${field}`, message: `${largest}: ${advice}` };
  };
  const issues = [lower("batchSize", 2), lower("latentDim", 1)];
  if (shape.imgSize === 32) {
    const advice = fits({ imgSize: 28 }) ? "imgSize 28 fits" : "imgSize 28 alone is not enough";
    issues.push({ path: "fixed.imgSize", message: `${largest}: ${advice}` });
  }
  return issues;
}

/** The largest value in [low, high] that fits (fitting is monotone: smaller values fit too), or null. */
function largestFitting(low: number, high: number, fits: (value: number) => boolean): number | null {
  if (high < low || !fits(low)) return null;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
