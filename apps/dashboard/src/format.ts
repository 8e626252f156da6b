// How numbers, times and durations are shown: always with their unit, never "NaN".

const DASH = "–";

export function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** An accuracy in [0, 1] as a percentage: 0.9731 -> "97.3 %". */
export function percent(value: number | null | undefined, digits = 1): string {
  return isNumber(value) ? `${(value * 100).toFixed(digits)} %` : DASH;
}

/** Percentage points, for spreads of accuracies: 0.012 -> "1.2 pp". */
export function points(value: number | null | undefined, digits = 1): string {
  return isNumber(value) ? `${(value * 100).toFixed(digits)} pp` : DASH;
}

/** A plain figure with a fixed number of significant digits: losses, spikes. */
export function figure(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return DASH;
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** A learning rate: 0.0002 -> "2.0e-4". */
export function learningRate(value: number | null | undefined): string {
  return isNumber(value) ? value.toExponential(1) : DASH;
}

export function integer(value: number | null | undefined): string {
  return isNumber(value) ? Math.round(value).toLocaleString("en-US") : DASH;
}

/** A duration in seconds: 75 -> "1 min 15 s", 4000 -> "1 h 07 min". */
export function duration(seconds: number | null | undefined): string {
  if (!isNumber(seconds) || seconds < 0) return DASH;
  if (seconds < 1) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** How long ago a time was, relative to now: "12 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return DASH;
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return DASH;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** An ISO time as the reader's local date and time. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? DASH : date.toLocaleString();
}

/** Seconds between two ISO times (to now when the end is missing). */
export function secondsBetween(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, (to - from) / 1000) : null;
}

/** A hyperparameter value as text: numbers compactly, learning rates in scientific notation. */
export function paramValue(key: string, value: unknown): string {
  if (typeof value === "number") return key === "lr" ? learningRate(value) : Number.isInteger(value) ? String(value) : figure(value, 4);
  if (value === undefined || value === null) return DASH;
  return String(value);
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
