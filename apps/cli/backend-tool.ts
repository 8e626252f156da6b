// How a one-shot CLI that uses a compute backend (train, classify) ends: the backend's teardown never
// decides the exit status (a failing one is logged), and an error a person can fix is printed as one
// escaped line with the usage, any other one logged with its stack.
import { shutdownBackend } from "../../libs/backends/index.ts";
import type { Logger } from "../../libs/log/index.ts";
import { escaped, printable } from "../../libs/terminal-text/index.ts";
import { InvalidInputError } from "../../libs/validation/index.ts";
import { exitAfter } from "./exit.ts";

export interface BackendToolEnd {
  log: Logger;
  usage: string;
  /** Error classes a person fixes by changing the command line or its inputs. */
  userErrors: ReadonlyArray<abstract new (...args: never[]) => Error>;
  /** What the log says for any other error. */
  failure: string;
  /** Exit statuses for a user's error and for any other. */
  exitCodes: { user: number; unexpected: number };
}

export function runBackendTool(main: () => Promise<number>, end: BackendToolEnd): void {
  const shutdown = () => shutdownBackend().catch((error: unknown) => end.log.warn({ err: error }, "backend shutdown failed"));
  main().then(
    (code) => exitAfter(code, shutdown),
    (error: unknown) => {
      const known = end.userErrors.some((type) => error instanceof type) || Boolean((error as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS"));
      if (known) console.error(`error: ${userErrorLines(error as Error).join("\n")}\n${end.usage}`);
      else end.log.error({ err: error }, end.failure);
      return exitAfter(known ? end.exitCodes.user : end.exitCodes.unexpected, shutdown);
    },
  );
}

/**
 * The error as terminal lines: an invalid input lists one issue per line, each escaped on its own (a
 * newline inside a value cannot forge a line); any other message keeps its own line breaks.
 */
function userErrorLines(error: Error): string[] {
  if (error instanceof InvalidInputError) return [`invalid ${error.what}:`, ...error.issues.map((issue) => escaped`  - ${issue.path}: ${issue.message}`)];
  return error.message.split("\n").map(printable);
}
