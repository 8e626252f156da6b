// Log records as short lines for a person at a terminal: `12:03:04 api  message  key=value`.
// Our own formatter rather than pino-pretty: pino-pretty prints message text as it came, and these
// messages carry users' text (sweep names, paths, server errors), so every value here goes through
// terminal-text's printable() before it reaches the terminal. It is also ten fewer dependencies.
import { printable } from "../terminal-text/index.ts";

const LEVEL_LABELS: Record<number, string> = { 10: "trace", 20: "debug", 40: "warning", 50: "error", 60: "fatal" };
const INFO = 30;
const WARN = 40;
/** pino's own bookkeeping, shown by the line's layout (time, name) or not at all. */
const BOOKKEEPING = new Set(["level", "time", "pid", "hostname", "name", "msg", "err"]);

interface SerializedError {
  message?: string;
  stack?: string;
}

/**
 * One pino JSON record as one human line (plus an error's stack below it at warning and above).
 * At info and below only plain fields follow the message, and none the message already shows:
 * nested objects stay in the JSON format (LOG_FORMAT=json), so a line stays short.
 */
export function formatHumanLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `${printable(json.trimEnd())}\n`;
  }
  const level = typeof record.level === "number" ? record.level : INFO;
  const label = LEVEL_LABELS[level];
  const message = String(record.msg ?? "");
  const parts = [clock(record.time), printable(String(record.name ?? "")).padEnd(8), label ? `${label}:` : "", printable(message)];
  const fields = Object.entries(record)
    .filter(([key, value]) => !BOOKKEEPING.has(key) && value !== undefined && (level >= WARN || !isNested(value)) && !repeats(message, value))
    .map(([key, value]) => `${printable(key)}=${formatValue(value)}`);
  const error = record.err as SerializedError | string | undefined;
  const line = [...parts.filter(Boolean), ...fields, ...(error ? [`err=${formatError(error, level)}`] : [])].join(" ");
  return `${line}\n`;
}

function clock(time: unknown): string {
  const date = typeof time === "number" ? new Date(time) : new Date();
  return date.toTimeString().slice(0, 8);
}

/** A field whose text the message already shows (`compute backend: <device>` and device=<device>). */
function repeats(message: string, value: unknown): boolean {
  return typeof value === "string" && value.length > 3 && message.includes(value);
}

function isNested(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return /[\s"=]/.test(value) || value === "" ? printable(JSON.stringify(value)) : printable(value);
  return printable(JSON.stringify(value));
}

/** The message; from a warning up, the stack too, indented on the lines below. */
function formatError(error: SerializedError | string, level: number): string {
  if (typeof error === "string") return formatValue(error);
  const message = formatValue(error.message ?? "");
  if (level < WARN || !error.stack) return message;
  const frames = error.stack.split("\n").slice(1).map((frame) => `\n    ${printable(frame.trim())}`);
  return message + frames.join("");
}
