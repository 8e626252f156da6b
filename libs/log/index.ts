import { pino, type Logger } from "pino";

export type { Logger };

/** One structured (JSON lines) logger per process component; level from LOG_LEVEL. */
export function createLogger(component: string): Logger {
  return pino({ name: component, level: process.env.LOG_LEVEL ?? "info" });
}
export { maskUrl } from "./mask-url.ts";
