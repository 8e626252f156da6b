// Exit statuses of the command-line programs, as scripts and CI see them: real child processes of
// `npm run train`, the worker and the `sweeps` CLI (against a real API), each failing invocation run
// several times, since a status lost to a race shows only on some runs (before the fix, 12 of 16 runs
// of train with a missing dataset directory exited 0).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { resolveDatabaseUrl } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { freePort } from "../../libs/embedded-db/index.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import { dropDatabase } from "../db/helpers.ts";
import { waitFor } from "../support/wait-for.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATABASE = `sgan_exit_test_${process.pid}`;
const databaseUrl = withDatabase(resolveDatabaseUrl(), DATABASE);
const queueName = `sgan-exit-test-${process.pid}-${Date.now()}`;
/** Enough for a lost status to show: with 3 runs per case the old train exited 0 on some run of every case that loads data. */
const REPEATS = 3;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

const ENTRIES = { train: "apps/cli/train.ts", worker: "apps/worker/main.ts", sweeps: "apps/cli/sweeps.ts" } as const;

function run(program: keyof typeof ENTRIES, args: string[], env: Record<string, string> = {}): Promise<Exit> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRIES[program], ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (output += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}

/** Every one of REPEATS runs of the invocation (at once) exits with `code`; the message names the first that did not. */
async function exitsWith(code: number, program: keyof typeof ENTRIES, args: string[], env?: Record<string, string>): Promise<void> {
  const exits = await Promise.all(Array.from({ length: REPEATS }, () => run(program, args, env)));
  exits.forEach((exit, i) => {
    assert.equal(exit.code, code, `${program} ${args.join(" ")}: run ${i + 1} of ${REPEATS} exited ${exit.code ?? exit.signal}, not ${code}; output:\n${exit.output}`);
  });
}

describe("exit statuses", { timeout: 600_000 }, () => {
  let dir: string;
  let api: RunningApi;
  const fast = ["--backend", "wasm", "--threads", "2"];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "exit-status-"));
    await mkdir(join(dir, "bad-idx"));
    await writeFile(join(dir, "bad-idx", "train-images-idx3-ubyte"), Buffer.alloc(64, 7));
    await writeFile(join(dir, "bad-idx", "train-labels-idx1-ubyte"), Buffer.alloc(64, 7));
    await writeFile(join(dir, "invalid.yaml"), "name: broken\ncolour: red\n");
    api = await startApi({ log: createLogger("exit-test"), port: 0, databaseUrl, redisUrl: redisUrl(), queueName, reconcileMs: 0 });
  });

  after(async () => {
    await api?.ctx.queue.queue.obliterate({ force: true });
    await api?.close();
    await dropDatabase(databaseUrl, DATABASE);
    await rm(dir, { recursive: true, force: true });
  });

  describe("npm run train", () => {
    const out = () => join(dir, `train-${Math.random().toString(36).slice(2)}`);
    test("a missing dataset directory: 2", () => exitsWith(2, "train", ["--dataset", join(dir, "no-such-dir"), ...fast, "--out", out()]));
    test("a bad IDX file: 2", () => exitsWith(2, "train", ["--dataset", join(dir, "bad-idx"), ...fast, "--out", out()]));
    test("an unknown option: 2", () => exitsWith(2, "train", ["--colour", "red"]));
    test("a bad value: 2", () => exitsWith(2, "train", ["--epochs", "0", ...fast]));
    test("an unknown backend: 2", () => exitsWith(2, "train", ["--backend", "abacus"]));
    test("bad values: each issue on a line of its own, the value escaped", async () => {
      const exit = await run("train", ["--epochs", "0", "--batch-size", "0", "--variant", "bad\x1b]0;x\x07"]);
      const lines = exit.output.split("\n");
      assert.equal(lines[0], "error: invalid training config:", exit.output);
      for (const field of ["epochs", "batchSize", "variant"]) assert.ok(lines.some((line) => line.startsWith(`  - ${field}: `)), exit.output);
      assert.ok(!exit.output.includes("\\n  - "), `issues joined by a literal \\n: ${exit.output}`);
      assert.ok(!exit.output.includes("\x1b"), "the escape character is shown escaped");
    });
    test("--help: 0", () => exitsWith(0, "train", ["--help"]));
    test("a run trained to the end: 0", async () => {
      const exit = await run("train", ["--epochs", "1", "--limit", "64", "--batch-size", "32", "--dataset", "mnist", ...fast, "--out", out()]);
      assert.equal(exit.code, 0, exit.output);
      assert.match(exit.output, /^completed after 1 epoch\(s\)/m);
    });
  });

  describe("the worker", () => {
    test("an unknown option: 2", () => exitsWith(2, "worker", ["--colour", "red"]));
    test("a bad value: 2", () => exitsWith(2, "worker", ["--concurrency", "0"]));
    test("PostgreSQL unreachable: 2", async () => {
      const unreachable = `postgresql://postgres@127.0.0.1:${await freePort()}/nothing`;
      await exitsWith(2, "worker", [...fast], { DATABASE_URL: unreachable });
    });
    test("SIGTERM once started: 0", async () => {
      const child = spawn(process.execPath, ["--import", "tsx", ENTRIES.worker, ...fast, "--queue", queueName], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl(), SGAN_QUEUE_BACKEND: "redis", LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (text: string) => (output += text));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await waitFor("the worker to start", () => output.includes('"msg":"worker started"'), 60_000);
      child.kill("SIGTERM");
      assert.equal(await exited, 0, output);
    });
  });

  describe("the sweeps CLI", () => {
    const at = () => ["--api", api.url];
    test("an unknown command: 2", () => exitsWith(2, "sweeps", ["frobnicate", ...at()]));
    test("an unknown option: 2", () => exitsWith(2, "sweeps", ["ls", "--colour", "red", ...at()]));
    test("a bad value: 2", () => exitsWith(2, "sweeps", ["ls", "--api", "ftp://example.org"]));
    test("the API unreachable: 1", async () => exitsWith(1, "sweeps", ["ls", "--api", `http://127.0.0.1:${await freePort()}`]));
    test("an unknown sweep id: 1", () => exitsWith(1, "sweeps", ["best", "00000000-0000-4000-8000-000000000000", ...at()]));
    test("a bad config file: 1", () => exitsWith(1, "sweeps", ["submit", join(dir, "invalid.yaml"), ...at()]));
    test("a config file that is not there: 1", () => exitsWith(1, "sweeps", ["submit", join(dir, "absent.yaml"), ...at()]));
    test("ls and --help: 0", async () => {
      await exitsWith(0, "sweeps", ["ls", ...at()]);
      await exitsWith(0, "sweeps", ["--help"]);
    });
  });
});
