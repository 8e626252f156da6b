// `npm start` in a terminal that is closed (the window shut, an ssh session dropped): the kernel sends
// SIGHUP to the terminal's foreground processes. Everything must stop as on Ctrl-C (the workers hand
// their runs back, then the API and the embedded PostgreSQL stop), so that the next start finds its
// data folder free; before, the start died at once and left its PostgreSQL running on the folder, and
// the next start refused it ("kill -INT <pid>"). The terminal is a pseudo-terminal from util-linux
// `script`, SIGKILLed to close it; the embedded PostgreSQL gets a free port and a temporary folder.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { freePort } from "../../libs/embedded-db/index.ts";
import { waitFor } from "../support/wait-for.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(command: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  let text = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

describe("npm start when its terminal is closed", { timeout: 150_000 }, () => {
  let dataDir = "";
  const started: Started[] = [];

  after(async () => {
    for (const { child } of started) if (child.exitCode === null) child.kill("SIGKILL");
    // A PostgreSQL left running by a failed run of this test: stopped, so the folder can go.
    const pidFile = join(dataDir, "postgres", "postmaster.pid");
    if (dataDir && existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, "utf8").split("\n")[0]), "SIGINT");
    await waitFor("the embedded PostgreSQL to stop", () => !existsSync(pidFile), 20_000).catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("stops its workers, API and embedded PostgreSQL on the hangup, and the next start comes up on the same data", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "sgan-hangup-"));
    await chmod(dataDir, 0o755); // the embedded PostgreSQL runs as the OS user postgres
    const env: NodeJS.ProcessEnv = { ...process.env, SGAN_DATA_DIR: dataDir, SGAN_PG_PORT: String(await freePort()), LOG_LEVEL: "info", LOG_FORMAT: "text" };
    for (const name of ["DATABASE_URL", "SGAN_QUEUE_BACKEND", "SGAN_QUEUE_SCHEMA"]) delete env[name];
    const command = `node --import tsx apps/cli/start.ts --port ${await freePort()} --workers 1 --backend wasm`;
    const terminal = launch("script", ["-qfec", command, "/dev/null"], env);
    started.push(terminal);
    await waitFor("the worker's start line", () => /worker started/.test(terminal.output()) || terminal.child.exitCode !== null, 90_000);
    const pidFile = join(dataDir, "postgres", "postmaster.pid");
    assert.ok(existsSync(pidFile), `the embedded PostgreSQL runs on ${dataDir}:\n${terminal.output()}`);

    terminal.child.kill("SIGKILL"); // the terminal goes: its foreground processes get SIGHUP
    await waitFor("the embedded PostgreSQL to stop after the hangup", () => !existsSync(pidFile), 40_000);

    const again = launch(process.execPath, ["--import", "tsx", "apps/cli/start.ts", "--port", String(await freePort()), "--workers", "0"], env);
    started.push(again);
    await waitFor("the second start to come up", () => /dashboard \+ API/.test(again.output()) || again.child.exitCode !== null, 90_000);
    assert.equal(again.child.exitCode, null, again.output());
    assert.doesNotMatch(again.output(), /already running/);
    again.child.kill("SIGINT");
    assert.equal(await again.exited, 0, again.output());
  });
});
