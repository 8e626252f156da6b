import { pino, type DestinationStream, type Logger } from "pino";
import { terminalSafeJson } from "../terminal-text/index.ts";
import { formatHumanLine } from "./human-format.ts";

export type { Logger };

/** LOG_FORMAT names neither format. */
export class LogFormatError extends Error {
  override name = "LogFormatError";
}

export type LogFormat = "json" | "text";

/** LOG_FORMAT=json|text; unset: text for a person at a terminal, JSON lines for anything else (files, collectors, pipes). */
export function logFormat(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = Boolean(process.stdout.isTTY)): LogFormat {
  const chosen = env.LOG_FORMAT?.trim().toLowerCase();
  if (!chosen) return stdoutIsTty ? "text" : "json";
  if (chosen === "json" || chosen === "text") return chosen;
  throw new LogFormatError(`LOG_FORMAT must be "json" or "text", not ${JSON.stringify(env.LOG_FORMAT)}; unset it to get text on a terminal and JSON elsewhere`);
}

/** Human lines on stdout, written synchronously like pino's own destination (nothing lost at exit). */
const humanStdout: DestinationStream = { write: (line: string) => void process.stdout.write(formatHumanLine(line)) };

/** One logger per process component (JSON lines, or text on a terminal: see logFormat); level from LOG_LEVEL. */
export function createLogger(component: string): Logger {
  // No request headers are logged anywhere; should one ever be, an API token in it is not.
  const options = {
    name: component,
    level: process.env.LOG_LEVEL ?? "info",
    redact: ["req.headers.authorization", "headers.authorization", "authorization", "token"],
    // Log lines reach terminals and carry users' text (sweep names, paths, errors); pino escapes C0 only.
    hooks: { streamWrite: terminalSafeJson },
  };
  return logFormat() === "text" ? pino(options, humanStdout) : pino(options);
}
export { maskUrl } from "./mask-url.ts";
