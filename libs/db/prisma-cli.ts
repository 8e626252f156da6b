// Runs the project's own Prisma CLI. Kept apart from the generated client so that the scripts which
// create that client (prisma/generate.ts) can use it before the client exists.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log/index.ts";
import { maskDatabaseUrl, redactDatabaseUrl } from "./url.ts";

export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const PRISMA_SCHEMA = join(PROJECT_ROOT, "prisma", "schema.prisma");
/** Not at the project root, where the CLI would find it by itself: always passed explicitly. */
const PRISMA_CONFIG = join(PROJECT_ROOT, "prisma", "prisma.config.ts");
/** Where prisma generate writes the client (prisma/schema.prisma's generator output). */
export const GENERATED_CLIENT = join(PROJECT_ROOT, "libs", "db", "generated");

const prismaPackage = createRequire(import.meta.url).resolve("prisma/package.json");
const PRISMA_CLI = join(dirname(prismaPackage), "build", "index.js");
export const PRISMA_VERSION: string = JSON.parse(readFileSync(prismaPackage, "utf8")).version;

/**
 * Runs `prisma <args>` against databaseUrl, logging every output line at debug (secrets masked). Rejects
 * with the CLI's own error text when it exits non-zero.
 *
 * doneWhen: the line the command prints last on success. The WebAssembly schema engine leaves its
 * 10 s advisory-lock timeout timer pending, so after a migrate command has finished the CLI process
 * lingers for 10 s; once this line appears it is stopped instead. Without the line (another Prisma
 * version) the command is simply waited for.
 */
export async function runPrismaCli(
  args: string[],
  databaseUrl: string,
  log: Logger,
  doneWhen?: RegExp,
): Promise<void> {
  const command = `prisma ${args.join(" ")}`;
  const child = spawn(process.execPath, [PRISMA_CLI, ...args, "--config", PRISMA_CONFIG], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // The CLI otherwise phones home for update notices, which only times out on a closed network.
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  let done = false;
  const collect = (input: Readable, stream: "stdout" | "stderr") =>
    createInterface({ input }).on("line", (raw) => {
      const line = redactDatabaseUrl(raw.trimEnd(), databaseUrl);
      if (!line.trim()) return;
      output.push(line);
      // The CLI's chatter (config loaded, schema loaded, each migration's files, and migrate's warning
      // that the schema's url is unused, which 6.19's CLI needs to pick its engines: see
      // prisma/prisma.config.ts) is for LOG_LEVEL=debug; callers log the outcome, a failure's text is in the error.
      log.debug({ command, stream }, line);
      if (doneWhen?.test(line) && !done) {
        done = true;
        child.kill();
      }
    });
  collect(child.stdout, "stdout");
  collect(child.stderr, "stderr");
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (exitCode === 0 || done) return;
  const errorAt = output.findIndex((line) => /^Error\b/.test(line));
  const detail = (errorAt >= 0 ? output.slice(errorAt) : output.slice(-20)).join("\n");
  throw new Error(
    `${command} failed (exit code ${exitCode}) for ${maskDatabaseUrl(databaseUrl)}:\n${detail}`,
  );
}
