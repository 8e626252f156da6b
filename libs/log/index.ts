import { pino, type Logger } from "pino";
import { terminalSafeJson } from "../terminal-text/index.ts";

export type { Logger };

/** One structured (JSON lines) logger per process component; level from LOG_LEVEL. */
export function createLogger(component: string): Logger {
  // No request headers are logged anywhere; should one ever be, an API token in it is not.
  return pino({
    name: component,
    level: process.env.LOG_LEVEL ?? "info",
    redact: ["req.headers.authorization", "headers.authorization", "authorization", "token"],
    // Log lines reach terminals and carry users' text (sweep names, paths, errors); pino escapes C0 only.
    hooks: { streamWrite: terminalSafeJson },
  });
}
export { maskUrl } from "./mask-url.ts";
