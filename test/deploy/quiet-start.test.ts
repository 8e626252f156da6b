// What `npm start` prints. On a terminal (a pseudo-terminal from util-linux `script`, Ctrl-C typed
// into it): short human lines naming the dashboard, the database and the queue, no JSON, no warnings
// (no Prisma datasource warning, no Vulkan/XDG_RUNTIME_DIR lines from the GPU probe), no password.
// Without a terminal (apps/cli/start.ts, what `npm start` runs): JSON lines only, and a start after
// the first builds nothing.
//
// The real PostgreSQL (a database of this test's own, its URL carrying a password that trust auth
// ignores, so that a leak would show) and the machine's Redis. The API's write tokens are set: without
// them the API warns, rightly, that writes are open.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { freePort } from "../../libs/embedded-db/index.ts";
import { waitFor } from "../support/wait-for.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PASSWORD = "quiet-start-secret";
const DATABASE_URL = `postgresql://postgres:${PASSWORD}@127.0.0.1:5432/sgan_quiet_start`;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of ["LOG_FORMAT", "LOG_LEVEL", "REDIS_URL", "SGAN_QUEUE_BACKEND", "npm_config_loglevel"]) delete base[name];
  return { ...base, DATABASE_URL, SGAN_API_TOKENS: "quiet-start-token", ...extra };
}

function launch(command: string, args: string[], environment: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: ROOT, env: environment, stdio: ["pipe", "pipe", "pipe"] });
  let text = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function stopped(started: Started, stop: () => void): Promise<string> {
  stop();
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 30_000).unref());
  if ((await Promise.race([started.exited, timeout])) === "timeout") throw new Error(`npm start did not stop:\n${started.output()}`);
  return started.output();
}

function lines(output: string): string[] {
  return output.split(/\r?\n/).map((line) => line.replace(/\r/g, "")).filter((line) => line.trim());
}

describe("npm start's output", { timeout: 90_000 }, () => {
  const running: Started[] = [];
  after(() => {
    for (const started of running) if (started.child.exitCode === null) started.child.kill("SIGKILL");
  });

  test("on a terminal: human lines, the dashboard's URL, no JSON, no warning, no password", async () => {
    const port = await freePort();
    // -e: script exits with npm's status; -f: output as it comes; the typed ^C reaches every process of the start.
    const started = launch("script", ["-qfec", `npm start -- --port ${port} --workers 1 --backend auto`, "/dev/null"], env());
    running.push(started);
    await waitFor("the worker's start line", () => /worker started/.test(started.output()) || started.child.exitCode !== null, 60_000);
    const output = await stopped(started, () => started.child.stdin!.write("\x03"));
    const printed = lines(output);

    assert.ok(printed.some((line) => line.includes(`dashboard + API   http://127.0.0.1:${port}/`)), output);
    assert.ok(printed.some((line) => /PostgreSQL\s+postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/sgan_quiet_start/.test(line)), output);
    assert.ok(printed.some((line) => /^\s+queue\s+Redis redis:\/\/127\.0\.0\.1:6379/.test(line)), output);
    assert.ok(printed.some((line) => /^\d\d:\d\d:\d\d backends +compute backend: /.test(line)), "the GPU probe's one line");
    assert.ok(printed.some((line) => /^\d\d:\d\d:\d\d worker +worker started /.test(line)), output);
    assert.deepEqual(printed.filter((line) => /^\s*[{[]/.test(line)), [], "no JSON lines");
    assert.deepEqual(printed.filter((line) => /warn|vulkan|XDG_RUNTIME_DIR|error/i.test(line)), [], "no warning lines");
    assert.ok(!output.includes(PASSWORD), "the database password is masked");
  });

  test("without a terminal: JSON lines only, and nothing rebuilt", async () => {
    const port = await freePort();
    // The entry `npm start` runs, as a service manager would start it (npm adds its own banner lines
    // and does not pass SIGINT on). Debug level shows the builds' verdicts.
    const entry = [process.execPath, ["--import", "tsx", "apps/cli/start.ts", "--port", String(port), "--workers", "0"]] as const;
    const started = launch(entry[0], [...entry[1]], env({ LOG_LEVEL: "debug" }));
    running.push(started);
    await waitFor("the start's summary record", () => /SGAN sweeps is running/.test(started.output()) || started.child.exitCode !== null, 60_000);
    const output = await stopped(started, () => started.child.kill("SIGINT"));

    const records = lines(output).map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}\n${output}`);
      }
    });
    const summary = records.find((record) => record.msg === "SGAN sweeps is running");
    assert.equal(summary?.dashboard, `http://127.0.0.1:${port}/`);
    assert.match(String(summary?.database), /postgres:\*\*\*@/);
    const verdicts = records.filter((record) => /is up to date$/.test(String(record.msg))).map((record) => record.msg);
    for (const build of ["Prisma client", "native addon", "dashboard"]) assert.ok(verdicts.includes(`${build} is up to date`), `${build} not rebuilt: ${verdicts.join(", ")}`);
    assert.deepEqual(records.filter((record) => record.name === "build" && Number(record.level) >= 30), [], "no build ran");
    assert.ok(!output.includes(PASSWORD), "the database password is masked");
  });
});
