// The README's `sweeps` command as a user gets it after `npm install`: `npx sweeps` in the checkout,
// and after `npm link` (here into a temporary prefix, not the machine's global one) `sweeps` from any
// folder; its --help names the docs, which exist.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, test } from "node:test";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
let prefix: string | undefined;
after(async () => prefix && rm(prefix, { recursive: true, force: true }));

function assertHelp(stdout: string): void {
  assert.match(stdout, /^usage: sweeps <command> \[options\]/);
  const docs = [...stdout.matchAll(/^(?:docs:)?\s+(\/\S+\.md)\b/gm)].map((match) => match[1]);
  assert.deepEqual(docs, [join(ROOT, "README.md"), join(ROOT, "docs", "sweeps.md")]);
  for (const doc of docs) assert.ok(existsSync(doc), doc);
}

test("npx sweeps in the checkout, and sweeps on the PATH after npm link", { timeout: 60_000 }, async () => {
  assertHelp((await run("npx", ["sweeps", "--help"], { cwd: ROOT })).stdout);

  prefix = await mkdtemp(join(tmpdir(), "sgan-npm-prefix-"));
  const env = { ...process.env, npm_config_prefix: prefix };
  await run("npm", ["link", "--no-audit", "--no-fund"], { cwd: ROOT, env });
  const elsewhere = await mkdtemp(join(prefix, "cwd-"));
  const { stdout } = await run("sweeps", ["--help"], { cwd: elsewhere, env: { ...env, PATH: `${join(prefix, "bin")}:${process.env.PATH}` } });
  assertHelp(stdout);
});
