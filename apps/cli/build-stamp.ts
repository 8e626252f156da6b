// "Did any input of this build change since it last ran?", answered from a stamp file kept next to the
// build's output: the input files it read (as the build itself reported them, so an import added
// later is covered) and one digest over their contents and the settings that shape the output
// (compiler, tool versions). Contents, not mtimes: a checkout or a copy touches mtimes without
// changing anything.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";

export interface BuildInputs {
  /** Files the build read, absolute or relative to `root`. */
  files: string[];
  /** What else the output depends on (compiler path, tool versions, flags). */
  settings: Record<string, string>;
}

interface Stamp {
  files: string[];
  digest: string;
}

/** One digest over the files' names and contents (a missing file counts as missing) and the settings. */
export function digestInputs(root: string, inputs: BuildInputs): string {
  const hash = createHash("sha256");
  for (const file of [...new Set(inputs.files.map((f) => relative(root, resolve(root, f))))].sort()) {
    const path = resolve(root, file);
    hash.update(`${file}\0`).update(existsSync(path) ? readFileSync(path) : "\0missing\0").update("\0");
  }
  for (const [key, value] of Object.entries(inputs.settings).sort(([a], [b]) => a.localeCompare(b))) hash.update(`${key}=${value}\0`);
  return hash.digest("hex");
}

/**
 * True when the stamp at `stampPath` exists, every output exists, and the files listed in the stamp
 * (plus `always`, the files known before building) hash with `settings` to the stamp's digest.
 */
export async function isUpToDate(root: string, stampPath: string, outputs: string[], always: BuildInputs): Promise<boolean> {
  if (!outputs.every((output) => existsSync(output))) return false;
  const stamp = await readStamp(stampPath);
  if (stamp === null) return false;
  return digestInputs(root, { files: [...always.files, ...stamp.files], settings: always.settings }) === stamp.digest;
}

/** Records the inputs of the build that just succeeded. */
export async function writeStamp(root: string, stampPath: string, always: BuildInputs, discovered: string[]): Promise<void> {
  const files = [...new Set(discovered.map((f) => relative(root, resolve(root, f))))].sort();
  const stamp: Stamp = { files, digest: digestInputs(root, { files: [...always.files, ...files], settings: always.settings }) };
  await mkdir(dirname(stampPath), { recursive: true });
  await writeFile(stampPath, `${JSON.stringify(stamp, null, 1)}\n`);
}

async function readStamp(stampPath: string): Promise<Stamp | null> {
  try {
    const stamp = JSON.parse(await readFile(stampPath, "utf8")) as Partial<Stamp>;
    return Array.isArray(stamp.files) && typeof stamp.digest === "string" ? { files: stamp.files, digest: stamp.digest } : null;
  } catch {
    return null;
  }
}
