import { PNG } from "pngjs";

const PADDING = 2;

/**
 * Tiles square grayscale images (values in [-1, 1], the generator's tanh range) into a PNG grid
 * like torchvision's save_image(nrow=5, padding=2). Values are mapped linearly, not min-max
 * normalised per grid, so grids of different epochs compare honestly.
 */
export function encodeSampleGrid(pixels: Float32Array, count: number, side: number, columns = 5): Buffer {
  const rows = Math.ceil(count / columns);
  const width = columns * (side + PADDING) + PADDING;
  const height = rows * (side + PADDING) + PADDING;
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.alloc(width * height);
  for (let image = 0; image < count; image++) {
    const left = PADDING + (image % columns) * (side + PADDING);
    const top = PADDING + Math.floor(image / columns) * (side + PADDING);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const value = pixels[image * side * side + y * side + x];
        png.data[(top + y) * width + left + x] = Math.round(Math.min(1, Math.max(0, (value + 1) / 2)) * 255);
      }
    }
  }
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
