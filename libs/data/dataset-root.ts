import { realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { DataError } from "./errors.ts";

import { DATA_ROOT_ENV, datasetNameProblem } from "./dataset-name.ts";

export { DATA_ROOT_ENV, MNIST, datasetNameProblem } from "./dataset-name.ts";
const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const DEFAULT_DATA_ROOT = join(REPO_ROOT, ".data", "datasets");

/**
 * The one folder sweeps take datasets from: SGAN_DATA_ROOT (relative to the repository, like the
 * default, so the API and the workers resolve it alike whatever their working directory), else
 * .data/datasets in the repository.
 */
export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[DATA_ROOT_ENV]?.trim();
  return configured ? resolve(REPO_ROOT, configured) : DEFAULT_DATA_ROOT;
}

/** A dataset name broke the naming rule or leads outside the data root: the sweep must name another. */
export class DatasetNameError extends DataError {
  override name = "DatasetNameError";
}

/** A dataset folder under the data root, both with symlinks resolved. */
export interface DatasetLocation {
  /** As the sweep names it, for messages. */
  name: string;
  root: string;
  dir: string;
}

/** Whether the resolved `path` is `root` or inside it. */
export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Finds the folder a dataset name stands for under `root`. Refused: names that break the rule and
 * names (or symlinks on the way) that lead outside the root; what lies outside is never looked at.
 */
export async function locateDataset(name: string, root: string = dataRoot()): Promise<DatasetLocation> {
  const problem = datasetNameProblem(name);
  if (problem !== null) throw new DatasetNameError(`dataset ${JSON.stringify(name)} ${problem}`);
  const realRoot = await realpath(root).catch((error: NodeJS.ErrnoException) => {
    throw new DatasetNameError(
      `dataset ${JSON.stringify(name)}: the data root ${root} ${error.code === "ENOENT" ? "does not exist" : `cannot be read (${error.code})`}; ` +
        `create it and put the dataset's folder there (or set ${DATA_ROOT_ENV})`,
    );
  });
  const dir = await realpath(join(realRoot, name)).catch((error: NodeJS.ErrnoException) => {
    const why = error.code === "ENOENT" ? "is not a folder under the data root" : `cannot be read (${error.code})`;
    throw new DatasetNameError(`dataset ${JSON.stringify(name)} ${why} (${root})`);
  });
  if (!isWithin(dir, realRoot)) throw new DatasetNameError(`dataset ${JSON.stringify(name)} is a symlink that leads outside the data root`);
  if (!(await stat(dir)).isDirectory()) throw new DatasetNameError(`dataset ${JSON.stringify(name)} is not a folder of IDX files`);
  return { name, root: realRoot, dir };
}
