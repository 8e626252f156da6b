// The zero-setup promise, as a fresh clone sees it: no DATABASE_URL, no REDIS_URL, no Redis answering,
// an empty data folder. `npm start` (apps/cli/start.ts, a child process) brings up an embedded
// PostgreSQL and runs the queue on BullMQ's PostgreSQL backend; a tiny sweep submitted through the
// sweeps CLI completes; Ctrl-C stops everything; a second start finds the data still there.
//
// The machine's own Redis keeps running: SGAN_REDIS_PROBE_URL points the "is a Redis answering on
// this machine" probe at a port where none does. The embedded PostgreSQL gets a free port and a
// temporary data folder, away from the machine's PostgreSQL.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { runSweepsCli, type CliResult } from "../support/sweeps-cli.ts";
import { freePort } from "../../libs/embedded-db/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One configuration, one run, one epoch of two batches: seconds of training. */
const TINY_SWEEP = `
name: fresh-clone
strategy: grid
repeats: 1
fixed: { epochs: 1, dataset: mnist, imgSize: 28, limit: 64 }
parameters:
  batchSize: 32
  lr: 2.0e-4
`;

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** A clean environment: none of the variables that would point the product at existing services. */
function freshEnv(dataDir: string, pgPort: number, deadRedisPort: number): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ["DATABASE_URL", "REDIS_URL", "SGAN_QUEUE_BACKEND", "SGAN_QUEUE_SCHEMA", "SWEEPS_API_URL"]) delete env[name];
  // LOG_FORMAT text: the start-up block as a person reads it (piped, the start logs JSON).
  return { ...env, SGAN_DATA_DIR: dataDir, SGAN_PG_PORT: String(pgPort), SGAN_REDIS_PROBE_URL: `redis://127.0.0.1:${deadRedisPort}`, LOG_LEVEL: "info", LOG_FORMAT: "text" };
}

async function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "apps/cli/start.ts", "--port", String(port), "--workers", "1", "--backend", "wasm"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (!/dashboard \+ API\s+(\S+)\//.test(text)) {
    if (gone) throw new Error(`npm start exited before it was up:\n${text}`);
    if (Date.now() > deadline) throw new Error(`npm start not up within 60 s:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /dashboard \+ API\s+(\S+)\//.exec(text)![1];
  return { child, url, output: () => text, exited };
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill("SIGINT");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 45_000).unref());
  const code = await Promise.race([started.exited, timeout]);
  if (code === "timeout") throw new Error(`npm start did not stop within 45 s:\n${started.output()}`);
  return code;
}

function sweepsCli(args: string[]): Promise<CliResult> {
  return runSweepsCli(args);
}

async function getJson<T = any>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

/** The embedded server's pid while it runs (PostgreSQL's lock file), else null. */
async function postmasterPid(dataDir: string): Promise<number | null> {
  const text = await readFile(join(dataDir, "postgres", "postmaster.pid"), "utf8").catch(() => null);
  return text ? Number(text.split("\n")[0]) : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("fresh clone: npm start with nothing set up", { timeout: 120_000 }, () => {
  let dataDir: string;
  let current: Started | null = null;

  after(async () => {
    // Whatever happened, leave no process behind.
    if (current && current.child.exitCode === null) current.child.kill("SIGKILL");
    const pid = dataDir ? await postmasterPid(dataDir) : null;
    if (pid && alive(pid)) process.kill(pid, "SIGINT");
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("embedded PostgreSQL + PostgreSQL queue: a sweep completes, and survives a restart", async (t) => {
    dataDir = await mkdtemp(join(tmpdir(), "sgan-fresh-"));
    // As root the server runs as the postgres OS user, which must be able to enter the folder.
    await chmod(dataDir, 0o755);
    const env = freshEnv(dataDir, await freePort(), await freePort());

    const startedAt = Date.now();
    current = await start(env);
    const firstStartMs = Date.now() - startedAt;
    const first = current;
    assert.match(first.output(), /PostgreSQL\s+embedded 17\.\d+, data in .*postgres/);
    assert.match(first.output(), /queue\s+PostgreSQL \(BullMQ's PostgreSQL backend/);
    assert.match(first.output(), /initialising an embedded PostgreSQL/);
    assert.ok(existsSync(join(dataDir, "postgres", "PG_VERSION")), "the cluster lives in the data folder");
    const { password } = JSON.parse(await readFile(join(dataDir, "postgres", "sgan-credentials.json"), "utf8")) as { password: string };
    assert.ok(password.length >= 16 && !first.output().includes(password), "no password in the start-up output");

    const file = join(dataDir, "tiny.yaml");
    await writeFile(file, TINY_SWEEP);
    const submitted = await sweepsCli(["submit", file, "--api", first.url]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const sweepId = /submitted sweep ([0-9a-f-]{36}) /.exec(submitted.stdout)?.[1];
    assert.ok(sweepId, `no sweep id in: ${submitted.stdout}`);

    const deadline = Date.now() + 90_000;
    let sweep: { status: string; runs: Array<{ status: string }> };
    for (;;) {
      sweep = (await getJson(`${first.url}/api/sweeps/${sweepId}`)).body;
      if (sweep.status === "completed" || sweep.status === "failed" || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(sweep.status, "completed", `sweep ended ${sweep.status}:\n${first.output().slice(-4000)}`);
    assert.deepEqual(
      sweep.runs.map((run) => run.status),
      ["completed"],
    );

    const pid = await postmasterPid(dataDir);
    assert.ok(pid && alive(pid), "the embedded server runs while npm start does");
    assert.equal(await stop(first), 0, first.output().slice(-4000));
    assert.ok(!alive(pid!), "the embedded server stopped with npm start");
    assert.match(await readFile(join(dataDir, "postgres.log"), "utf8"), /database system is shut down/);

    current = await start(env);
    const second = current;
    assert.doesNotMatch(second.output(), /initialising an embedded PostgreSQL/);
    const again = await getJson(`${second.url}/api/sweeps/${sweepId}`);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, "completed");
    const listed = await sweepsCli(["ls", "--api", second.url]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(sweepId!));
    assert.equal(await stop(second), 0, second.output().slice(-4000));
    current = null;
    t.diagnostic(`first start on an empty data folder: ${(firstStartMs / 1000).toFixed(1)} s to the start-up lines`);
  });
});
