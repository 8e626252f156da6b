import { createRng, deriveSeed, permutation } from "../random/index.ts";
import { DataError } from "./errors.ts";
import { CLASSES, indicesByClass } from "./stratify.ts";

/**
 * Which labels the discriminator may see (1) in a semi-supervised run. A number n keeps n labels,
 * spread evenly over the classes (n/10 each, the remainder to the lowest classes), as the
 * semi-supervised GAN papers do with "100 labels". The choice derives from deriveSeed(seed, "labeled").
 */
export function labeledMask(labels: Int32Array, labeled: number | "all", seed: number): Uint8Array {
  const mask = new Uint8Array(labels.length);
  if (labeled === "all") return mask.fill(1);
  if (!Number.isInteger(labeled) || labeled < CLASSES || labeled > labels.length) {
    throw new DataError(
      `labeled must be "all" or an integer from ${CLASSES} (one per class) to ${labels.length} (every image), got ${labeled}`,
    );
  }
  const rng = createRng(deriveSeed(seed, "labeled"));
  const all = permutation(labels.length, rng);
  indicesByClass(labels, all).forEach((group, label) => {
    const quota = Math.floor(labeled / CLASSES) + (label < labeled % CLASSES ? 1 : 0);
    if (group.length < quota) {
      throw new DataError(`labeled ${labeled} needs ${quota} images of class ${label}, the set has only ${group.length}`);
    }
    for (const index of group.subarray(0, quota)) mask[index] = 1;
  });
  return mask;
}
