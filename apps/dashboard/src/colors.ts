// Colours: a qualitative palette for telling runs apart, and a sequential scale for values.

/**
 * 24 colours for lines on white, in an order where neighbours differ most: Kenneth Kelly's colours
 * of maximum contrast (white, black and two near-duplicate yellows left out) and six more, chosen
 * so that no two are closer than 40 in RGB. Run i gets colour i mod 24.
 */
export const PALETTE = [
  "#0067a5", "#f38400", "#be0032", "#008856", "#875692", "#f3c300", "#848482", "#e68fac",
  "#2b3d26", "#a1caf1", "#882d17", "#8db600", "#604e97", "#f99379", "#654522", "#17becf",
  "#b3446c", "#c2b280", "#e25822", "#00a6a6", "#000080", "#9467bd", "#006400", "#5a7d9a",
] as const;

/** Line dashes; after the first 24 runs the colours repeat with the next dash, so 96 runs look distinct. */
export const DASHES: ReadonlyArray<readonly number[]> = [[], [7, 4], [2, 3], [10, 3, 2, 3]];

export interface LineStyle {
  color: string;
  dash: readonly number[];
}

/** The style of the i-th series (0-based): colour i mod 24, dash by which round of 24 it is in. */
export function seriesStyle(i: number): LineStyle {
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`series index must be an integer >= 0, got ${i}`);
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] };
}

/** "#rrggbb" with an alpha in [0, 1], as rgba(). */
export function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = hexToRgb(hex);
  return `rgba(${r}, ${g}, ${b}, ${Math.min(1, Math.max(0, alpha))})`;
}

export function hexToRgb(hex: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new RangeError(`colour must be #rrggbb, got ${JSON.stringify(hex)}`);
  return [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)];
}

/** Viridis (matplotlib), 9 stops: perceptually even, readable in greyscale and by most colour-blind people. */
export const VIRIDIS = [
  "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725",
] as const;

/** Colour of a missing value on the sequential scale. */
export const NO_VALUE_COLOR = "#b8b8b8";

/** The colour at t in [0, 1] along viridis (clamped), interpolated linearly between stops; grey for NaN. */
export function sequentialColor(t: number): string {
  if (!Number.isFinite(t)) return NO_VALUE_COLOR;
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(VIRIDIS[i]);
  const b = hexToRgb(VIRIDIS[i + 1]);
  const mix = (k: number) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** A CSS gradient along the scale, for the colour bar (constants only, never data). */
export function sequentialGradient(direction = "to right"): string {
  return `linear-gradient(${direction}, ${VIRIDIS.join(", ")})`;
}
