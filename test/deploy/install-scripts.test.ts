// npm 11's allowScripts (package.json): every dependency with an install script is reviewed, so
// `npm install` names none as "not yet covered", and only webgpu's runs. That the project installs
// and starts without the others (Prisma client generated, embedded PostgreSQL's library links,
// esbuild and msgpackr prebuilds) was checked with `npm ci` into a copy and a start there: see the
// README's install paragraph; this test keeps the list in step with the lockfile.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const readJson = (file: string) => JSON.parse(readFileSync(`${ROOT}${file}`, "utf8"));

test("allowScripts covers every package of the lockfile with an install script, and allows only webgpu's", () => {
  const lock = readJson("package-lock.json") as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([path]) => path.split("node_modules/").at(-1)!);
  const allowScripts = readJson("package.json").allowScripts as Record<string, boolean>;
  assert.deepEqual([...new Set(withScripts)].sort(), Object.keys(allowScripts).sort());
  assert.deepEqual(Object.keys(allowScripts).filter((name) => allowScripts[name]), ["webgpu"]);
});
