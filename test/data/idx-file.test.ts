import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { DataError, readIdxFile } from "../../libs/data/index.ts";
import { idxBytes, tempDir } from "./idx-fixtures.ts";

describe("readIdxFile", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  const images = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
  const file = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };
  const rejectsNaming = async (path: string, pattern: RegExp) => {
    await assert.rejects(readIdxFile(path), (error: unknown) => {
      assert.ok(error instanceof DataError, `expected DataError, got ${String(error)}`);
      assert.ok(error.message.includes(path), `message should name ${path}: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    });
  };

  it("reads a raw image file", async () => {
    const { dims, data } = await readIdxFile(await file("raw-idx3", idxBytes([2, 3, 3], images)));
    assert.deepEqual(dims, [2, 3, 3]);
    assert.deepEqual(Array.from(data), Array.from(images));
  });

  it("reads a gzipped label file, recognised by content even without a .gz name", async () => {
    const labels = Uint8Array.of(7, 0, 9);
    const { dims, data } = await readIdxFile(await file("labels-no-extension", gzipSync(idxBytes([3], labels))));
    assert.deepEqual(dims, [3]);
    assert.deepEqual(Array.from(data), [7, 0, 9]);
  });

  it("rejects a wrong magic number", async () => {
    await rejectsNaming(await file("float-idx", idxBytes([2, 3, 3], images, 0x00000d03)), /magic number 0x00000d03/);
    await rejectsNaming(await file("not-idx.gz", gzipSync(Buffer.from("<html>not found</html>"))), /magic number/);
  });

  it("rejects truncated data", async () => {
    const bytes = idxBytes([2, 3, 3], images).subarray(0, -5);
    await rejectsNaming(await file("truncated", bytes), /truncated data: header says 2x3x3 = 18 bytes, file has 13/);
  });

  it("rejects a truncated header", async () => {
    await rejectsNaming(await file("short-header", idxBytes([2, 3, 3], images).subarray(0, 10)), /truncated header/);
  });

  it("rejects extra bytes", async () => {
    const bytes = Buffer.concat([idxBytes([2, 3, 3], images), Buffer.from([1, 2])]);
    await rejectsNaming(await file("extra", bytes), /2 extra bytes/);
  });

  it("rejects corrupt gzip", async () => {
    const bytes = gzipSync(idxBytes([2, 3, 3], images)).subarray(0, 20);
    await rejectsNaming(await file("cut.gz", bytes), /corrupt gzip/);
  });

  it("reports a missing file", async () => {
    await rejectsNaming(join(dir, "absent-idx1-ubyte"), /file not found/);
  });
});
