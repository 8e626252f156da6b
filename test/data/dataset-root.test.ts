// Datasets named over the API live under one data root; their files are read only if they are
// regular files inside it, bounded by the IDX header and the maximum dataset size, and a stop
// (AbortSignal) ends a read between chunks. Real files, FIFOs, symlinks and devices throughout.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, open, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import {
  DatasetNameError,
  DataError,
  MAX_DATASET_BYTES,
  dataRoot,
  datasetNameProblem,
  loadDataSplit,
  locateDataset,
  readIdxFile,
} from "../../libs/data/index.ts";
import { idxBytes, tempDir, unevenLabels, writeIdxDataset } from "./idx-fixtures.ts";

const rejection = async (promise: Promise<unknown>, type: new (...args: never[]) => Error = DataError): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error.message;
  }
  assert.fail("expected a rejection");
};

/** A file of `bytes` bytes whose first bytes are `header`; the rest is a hole (nothing written, nothing allocated). */
async function sparseFile(path: string, header: Buffer, bytes: number): Promise<void> {
  const handle = await open(path, "w");
  await handle.write(header, 0, header.length, 0);
  await handle.truncate(bytes);
  await handle.close();
}

const trainLabels = unevenLabels(2);

/** A signal that aborts with "run cancelled" at its `n`-th check: deterministically in the middle of a read. */
function stopAtCheck(n: number): { signal: AbortSignal; checks: () => number } {
  const controller = new AbortController();
  const { signal } = controller;
  const check = signal.throwIfAborted.bind(signal);
  let checks = 0;
  Object.defineProperty(signal, "throwIfAborted", {
    value: () => {
      if (++checks === n) controller.abort(new Error("run cancelled"));
      check();
    },
  });
  return { signal, checks: () => checks };
}

// The timeout turns a read that hangs (a FIFO) into a failure rather than a stuck suite.
describe("the data root", { timeout: 60_000 }, () => {
  let base: string;
  let root: string;
  let outside: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir: base, cleanup } = await tempDir());
    root = join(base, "datasets");
    outside = join(base, "elsewhere");
    await mkdir(root);
    await mkdir(outside);
  });
  after(() => cleanup());

  let cases = 0;
  /** A dataset folder under the root holding a valid train pair; returns its name and path. */
  const dataset = async () => {
    const name = `set-${cases++}`;
    const dir = join(root, name);
    await mkdir(dir);
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels } });
    return { name, dir };
  };
  const load = (name: string, signal?: AbortSignal) => loadDataSplit({ source: { dataset: name, root }, imgSize: 28, signal });

  it("defaults to .data/datasets in the repository; SGAN_DATA_ROOT moves it, relative to the repository", () => {
    const repo = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
    assert.equal(dataRoot({}), join(repo, ".data", "datasets"));
    assert.equal(dataRoot({ SGAN_DATA_ROOT: "/srv/data" }), "/srv/data");
    assert.equal(dataRoot({ SGAN_DATA_ROOT: "shared/sets" }), join(repo, "shared", "sets"));
  });

  it("names are mnist or relative folder names; absolute paths, .. and odd characters break the rule", () => {
    for (const name of ["mnist", "fashion-mnist", "emnist/letters", "set_1.v2"]) assert.equal(datasetNameProblem(name), null, name);
    assert.match(datasetNameProblem("/root")!, /not an absolute path/);
    assert.match(datasetNameProblem("/proc/self")!, /not an absolute path/);
    assert.match(datasetNameProblem("../etc")!, /must not contain '\.\.'/);
    assert.match(datasetNameProblem("a/../../b")!, /must not contain '\.\.'/);
    for (const name of [".", "./x", "a//b", ".hidden", "a\u0000b", "a b", "x\\..\\y"]) {
      assert.match(datasetNameProblem(name)!, /letters, digits/, JSON.stringify(name));
    }
  });

  it("a folder under the root loads by its name, like the same folder by path, and says so in its description", async () => {
    const { name, dir } = await dataset();
    const byName = await load(name);
    const byPath = await loadDataSplit({ source: { idxDir: dir }, imgSize: 28 });
    assert.deepEqual(byName.train, byPath.train);
    assert.deepEqual(byName.test, byPath.test);
    assert.equal(byName.source, `dataset "${name}" (${trainLabels.length} images, seeded split)`);
  });

  it("a symlink inside the root to a folder inside it is followed; one leading out is refused, naming the rule", async () => {
    const { name } = await dataset();
    await symlink(join(root, name), join(root, `${name}-alias`));
    assert.equal((await load(`${name}-alias`)).train.count, (await load(name)).train.count);

    await writeIdxDataset(outside, { train: { size: 28, labels: trainLabels } });
    await symlink(outside, join(root, "escape"));
    const message = await rejection(locateDataset("escape", root), DatasetNameError);
    assert.equal(message, 'dataset "escape" is a symlink that leads outside the data root');
    await symlink("/proc/self", join(root, "proc"));
    assert.match(await rejection(load("proc"), DatasetNameError), /leads outside the data root/);
  });

  it("absolute paths and .. are refused before anything is looked up; a missing name says so without probing", async () => {
    for (const name of ["/root", "/etc", "/proc/self", outside]) {
      assert.match(await rejection(load(name), DatasetNameError), /not an absolute path/);
    }
    assert.match(await rejection(load(".."), DatasetNameError), /must not contain '\.\.'/);
    assert.match(await rejection(load("nothing-here"), DatasetNameError), /^dataset "nothing-here" is not a folder under the data root/);
  });

  it("an images file that is a symlink to a file outside the root is refused without reading it", async () => {
    const { name, dir } = await dataset();
    const secret = join(outside, "secret-file");
    await writeFile(secret, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]));
    await rm(join(dir, "train-images-idx3-ubyte"));
    await symlink(secret, join(dir, "train-images-idx3-ubyte"));
    const message = await rejection(load(name));
    assert.equal(message, `dataset "${name}": train-images-idx3-ubyte: is a symlink to a file outside the data root; only files inside it are read`);
    assert.doesNotMatch(message, /dead|beef|SECRET|secret-file|elsewhere/i);
  });

  it("a FIFO in place of the images file fails at once instead of waiting for a writer", async () => {
    const { name, dir } = await dataset();
    await rm(join(dir, "train-images-idx3-ubyte"));
    execFileSync("mkfifo", [join(dir, "train-images-idx3-ubyte")]);
    assert.match(await rejection(load(name)), /train-images-idx3-ubyte: is not a regular file \(a device, FIFO or socket\)/);
  });

  it("/dev/zero is refused: as a symlink under the root, and as a device given by path", async () => {
    const { name, dir } = await dataset();
    await rm(join(dir, "train-images-idx3-ubyte"));
    await symlink("/dev/zero", join(dir, "train-images-idx3-ubyte"));
    assert.match(await rejection(load(name)), /train-images-idx3-ubyte: is a symlink to a file outside the data root/);
    assert.match(await rejection(loadDataSplit({ source: { idxDir: dir }, imgSize: 28 })), /train-images-idx3-ubyte: is not a regular file/);
    assert.match(await rejection(readIdxFile("/dev/zero")), /^\/dev\/zero: is not a regular file/);
  });

  it("a 1 GB sparse file with a valid header is refused by its header and size, before its body is read", async () => {
    const peakBefore = process.resourceUsage().maxRSS;
    const { dir } = await dataset();
    const huge = join(dir, "huge-idx3-ubyte");
    const oneGb = 2 ** 30;
    const images = Math.ceil((oneGb - 16) / 784);
    await sparseFile(huge, idxBytes([images, 28, 28], new Uint8Array(0)), 16 + images * 784);
    assert.match(
      await rejection(readIdxFile(huge)),
      new RegExp(`the header announces ${images}x28x28 = ${images * 784} bytes, more than the maximum dataset size \\(${MAX_DATASET_BYTES} bytes\\); refused before reading it`),
    );
    // A header announcing a small body in a 1 GB file: the size gives it away, nothing is read.
    await sparseFile(huge, idxBytes([16, 28, 28], new Uint8Array(0)), oneGb);
    assert.match(await rejection(readIdxFile(huge)), new RegExp(`${oneGb - 16 - 16 * 784} extra bytes after the 16x28x28 = ${16 * 784} bytes`));
    const grownMb = (process.resourceUsage().maxRSS - peakBefore) / 1024;
    assert.ok(grownMb < 200, `peak memory grew by ${grownMb} MB reading headers`);
  });

  it("gzip: decompression stops at the size the header announces and at the maximum dataset size", async () => {
    const { dir } = await dataset();
    const bomb = join(dir, "bomb-idx3-ubyte.gz");
    // 16 images announced, 64 MB of zeros behind them (a ~64 KB file).
    await writeFile(bomb, gzipSync(Buffer.concat([idxBytes([16, 28, 28], new Uint8Array(16 * 784)), Buffer.alloc(64 * 2 ** 20)])));
    assert.match(await rejection(readIdxFile(bomb)), /more data than the 16x28x28 = 12544 bytes the header announces/);
    await writeFile(bomb, gzipSync(idxBytes([200_000, 28, 28], new Uint8Array(1024))));
    assert.match(await rejection(readIdxFile(bomb)), /more than the maximum dataset size/);
  });

  it("a stop during a read ends it between two chunks, with the stop's reason", async () => {
    const { dir } = await dataset();
    const big = join(dir, "big-idx3-ubyte");
    const images = 40_000; // 31 MB: about 30 chunks
    await sparseFile(big, idxBytes([images, 28, 28], new Uint8Array(0)), 16 + images * 784);
    const raw = stopAtCheck(4);
    await assert.rejects(readIdxFile(big, { signal: raw.signal }), /run cancelled/);
    assert.equal(raw.checks(), 4, "no chunk read after the stop");

    const gzipped = join(dir, "big-idx3-ubyte.gz");
    await writeFile(gzipped, gzipSync(idxBytes([images, 28, 28], new Uint8Array(images * 784))));
    const packed = stopAtCheck(2);
    await assert.rejects(readIdxFile(gzipped, { signal: packed.signal }), /run cancelled/);

    const named = stopAtCheck(3);
    const { name } = await dataset();
    await rm(join(root, name, "train-images-idx3-ubyte"));
    await writeFile(join(root, name, "train-images-idx3-ubyte.gz"), gzipSync(idxBytes([trainLabels.length, 28, 28], new Uint8Array(trainLabels.length * 784))));
    await assert.rejects(load(name, named.signal), /run cancelled/);
  });
});
