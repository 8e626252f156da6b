// The stamp that lets `npm start` skip a build (apps/cli/build-stamp.ts): up to date until an input
// the build reported, a file known beforehand, a setting or an output changes.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isUpToDate, writeStamp, type BuildInputs } from "../../apps/cli/build-stamp.ts";

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

test("a build is up to date until one of its inputs, settings or outputs changes", async () => {
  const root = await mkdtemp(join(tmpdir(), "sgan-stamp-"));
  dirs.push(root);
  const stamp = join(root, "out", "build-stamp.json");
  const output = join(root, "out.js");
  await Promise.all([writeFile(join(root, "build.ts"), "build"), writeFile(join(root, "a.ts"), "a"), writeFile(join(root, "b.ts"), "b"), writeFile(output, "out")]);
  const known: BuildInputs = { files: ["build.ts"], settings: { tool: "1.0" } };

  assert.equal(await isUpToDate(root, stamp, [output], known), false, "never built");
  await writeStamp(root, stamp, known, [join(root, "a.ts"), "b.ts"]);
  assert.equal(await isUpToDate(root, stamp, [output], known), true);

  await writeFile(join(root, "b.ts"), "b changed");
  assert.equal(await isUpToDate(root, stamp, [output], known), false, "a reported input changed");
  await writeStamp(root, stamp, known, ["a.ts", "b.ts"]);
  await writeFile(join(root, "build.ts"), "build changed");
  assert.equal(await isUpToDate(root, stamp, [output], known), false, "a known input changed");
  await writeStamp(root, stamp, known, ["a.ts", "b.ts"]);
  assert.equal(await isUpToDate(root, stamp, [output], { ...known, settings: { tool: "2.0" } }), false, "a setting changed");
  await rm(join(root, "a.ts"));
  assert.equal(await isUpToDate(root, stamp, [output], known), false, "an input is gone");
  await writeStamp(root, stamp, known, ["b.ts"]);
  await rm(output);
  assert.equal(await isUpToDate(root, stamp, [output], known), false, "the output is gone");
});
