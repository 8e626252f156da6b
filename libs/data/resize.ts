/**
 * Bilinear resize of `count` square single-channel images from `from` to `to` pixels a side, with
 * half-pixel centres (align_corners=False) and edge clamping: what torch's
 * F.interpolate(mode="bilinear") and torchvision's Resize compute when upscaling, which is how the
 * sgan example turns 28x28 MNIST into 32x32. (When downscaling, torchvision would antialias; this
 * does not.)
 */
export function resizeBilinear(pixels: Float32Array, count: number, from: number, to: number): Float32Array {
  if (pixels.length !== count * from * from) {
    throw new RangeError(`resizeBilinear: ${pixels.length} values is not ${count} images of ${from}x${from}`);
  }
  if (from === to) return pixels.slice();
  const { low, high, weight } = axisTaps(from, to);
  const out = new Float32Array(count * to * to);
  // Separable: interpolate along x into a scratch image, then along y; 4 taps per output, not 16 index computations.
  const rows = new Float32Array(from * to);
  for (let n = 0; n < count; n++) {
    const src = n * from * from;
    for (let y = 0; y < from; y++) {
      const line = src + y * from;
      for (let x = 0; x < to; x++) {
        const a = pixels[line + low[x]];
        rows[y * to + x] = a + (pixels[line + high[x]] - a) * weight[x];
      }
    }
    const dst = n * to * to;
    for (let y = 0; y < to; y++) {
      const top = low[y] * to;
      const bottom = high[y] * to;
      const w = weight[y];
      const line = dst + y * to;
      for (let x = 0; x < to; x++) {
        const a = rows[top + x];
        out[line + x] = a + (rows[bottom + x] - a) * w;
      }
    }
  }
  return out;
}

function axisTaps(from: number, to: number): { low: Int32Array; high: Int32Array; weight: Float64Array } {
  const low = new Int32Array(to);
  const high = new Int32Array(to);
  const weight = new Float64Array(to);
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    const src = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
    low[i] = Math.floor(src);
    high[i] = Math.min(low[i] + 1, from - 1);
    weight[i] = src - low[i];
  }
  return { low, high, weight };
}
