/**
 * `npm run classify -- --model DIR [--labels FILE] <idx-file|png>`: the class (0..9) of each image by
 * a run's discriminator as `sweeps model` saved it (docs/models.md), one `<index> <class>` line per
 * image; with --labels (an IDX label file), the accuracy after them.
 */
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PNG } from "pngjs";
import { BackendUnavailableError, initBackend, type BackendChoice } from "../../libs/backends/index.ts";
import { DataError, readIdxFile, resizeBilinear } from "../../libs/data/index.ts";
import { createLogger } from "../../libs/log/index.ts";
import { classify, loadNetwork, NetworkFilesError, readNetworkFiles } from "../../libs/sgan/network-loader.ts";
import { MODEL_FILE } from "../../libs/sgan/network-files.ts";
import { runBackendTool } from "./backend-tool.ts";

const log = createLogger("classify");

const USAGE = `usage: npm run classify -- --model DIR [--labels IDX-LABELS] [--backend auto|tensorflow|webgpu|wasm|cpu] [--threads N] <idx-file|png>
  DIR: what sweeps model --out DIR wrote (its discriminator folder, or that folder itself)
  prints '<index> <class>' per image; with --labels, 'accuracy <fraction> (<hits>/<count>)' after them`;

/** The input is not images this classifier takes. */
class ImageInputError extends Error {
  override name = "ImageInputError";
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

interface Images {
  pixels: Float32Array;
  count: number;
  side: number;
}

/** Pixels in [-1, 1] as the trainer's data has them (IDX bytes / 255 * 2 - 1). */
async function readImages(path: string): Promise<Images> {
  const head = Buffer.alloc(4);
  const handle = await open(path).catch((error: Error) => {
    throw new ImageInputError(`cannot read ${path}: ${error.message}`);
  });
  await handle.read(head, 0, 4, 0).finally(() => handle.close());
  if (head.equals(PNG_MAGIC)) return pngImage(await readFile(path), path);
  const { dims, data } = await readIdxFile(path);
  if (dims.length !== 3 || dims[1] !== dims[2]) throw new ImageInputError(`${path}: an IDX image file holds [count, side, side] bytes, this one ${dims.join("x")}`);
  return { pixels: Float32Array.from(data, (byte) => (byte / 255) * 2 - 1), count: dims[0], side: dims[1] };
}

/** A square PNG, its grey level composited over black (digits are light on dark, as MNIST's). */
function pngImage(bytes: Buffer, path: string): Images {
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new ImageInputError(`${path}: not a PNG this can read (${(error as Error).message})`);
  }
  if (png.width !== png.height) throw new ImageInputError(`${path}: the image must be square, it is ${png.width}x${png.height}`);
  const pixels = new Float32Array(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) {
    const [r, g, b, a] = png.data.subarray(i * 4, i * 4 + 4);
    const grey = ((0.299 * r + 0.587 * g + 0.114 * b) * a) / 255;
    pixels[i] = (grey / 255) * 2 - 1;
  }
  return { pixels, count: 1, side: png.width };
}

async function discriminatorDir(dir: string): Promise<string> {
  const nested = join(dir, "discriminator");
  const hasNested = await stat(join(nested, MODEL_FILE)).then(() => true, () => false);
  return hasNested ? nested : dir;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { model: { type: "string" }, labels: { type: "string" }, backend: { type: "string", default: "auto" }, threads: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.model === undefined || positionals.length !== 1) throw new ImageInputError("give --model DIR and one image file");
  await initBackend(values.backend as BackendChoice, { threads: values.threads === undefined ? undefined : Number(values.threads) });
  const model = loadNetwork(await readNetworkFiles(await discriminatorDir(values.model)), "discriminator");
  try {
    const images = await readImages(positionals[0]);
    const side = model.config.imgSize;
    const pixels = images.side === side ? images.pixels : resizeBilinear(images.pixels, images.count, images.side, side);
    const predictions = await classify(model, pixels, images.count);
    process.stdout.write(Array.from(predictions, (label, i) => `${i} ${label}\n`).join(""));
    if (values.labels !== undefined) {
      const labels = (await readIdxFile(values.labels)).data;
      if (labels.length !== images.count) throw new ImageInputError(`${values.labels} has ${labels.length} labels for ${images.count} images`);
      const hits = predictions.filter((label, i) => label === labels[i]).length;
      process.stdout.write(`accuracy ${hits / images.count} (${hits}/${images.count})\n`);
    }
  } finally {
    model.dispose();
  }
  return 0;
}

runBackendTool(main, {
  log,
  usage: USAGE,
  userErrors: [DataError, ImageInputError, NetworkFilesError, BackendUnavailableError],
  failure: "classify failed",
  exitCodes: { user: 2, unexpected: 1 },
});
