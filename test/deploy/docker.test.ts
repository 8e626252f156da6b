// docker/ checked without a Docker engine (none runs here): the compose file parses and describes what
// it promises (persistent Redis, PostgreSQL, API, scalable CPU and GPU workers, healthchecks, every
// setting documented), and every file, script, npm script and command-line option it or a Dockerfile
// names exists. The worker healthcheck script runs for real against a database of its own.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { registerWorker, stopWorker } from "../../libs/db/index.ts";
import { createTestDatabase, type TestDatabase } from "../db/helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOCKER = join(ROOT, "docker");
const COMPOSE_FILE = join(DOCKER, "compose.yaml");
const composeText = readFileSync(COMPOSE_FILE, "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  container_name?: string;
  profiles?: string[];
  deploy?: { resources?: { reservations?: { devices?: Array<{ driver: string; capabilities: string[] }> } } };
  init?: boolean;
  stop_grace_period?: string;
}

const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
/** Services that run this project's code (built from a Dockerfile here). */
const ours = Object.entries(services).filter(([, service]) => service.build);

/** A Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(file: string): Array<{ op: string; args: string }> {
  const text = readFileSync(file, "utf8").replace(/\\\r?\n/g, " ");
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

function jsonOrWords(args: string): string[] {
  return args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/);
}

/** What the image holds of the repository: the COPY destinations (relative to WORKDIR /app) of local sources. */
function copiedPaths(dockerfile: string): string[] {
  return instructions(dockerfile)
    .filter(({ op, args }) => op === "COPY" && !args.includes("--from="))
    .flatMap(({ args }) => {
      const parts = jsonOrWords(args).filter((part) => !part.startsWith("--"));
      return parts.slice(0, -1);
    });
}

function inImage(dockerfile: string, path: string): boolean {
  return copiedPaths(dockerfile).some((copied) => {
    const source = copied.replace(/^\.\//, "").replace(/\/$/, "");
    return path === source || path.startsWith(`${source}/`);
  });
}

/** `--flag` options a script accepts: the keys of its parseArgs options. */
function acceptsOption(script: string, flag: string): boolean {
  const text = readFileSync(join(ROOT, script), "utf8");
  const name = flag.replace(/^--/, "");
  return new RegExp(`["']?${name.replace(/[-]/g, "\\-")}["']?\\s*:\\s*\\{\\s*type:`).test(text);
}

describe("docker/ (checked without an engine)", () => {
  test("the compose file has Redis with persistence, PostgreSQL, the API, CPU and GPU workers", () => {
    for (const name of ["redis", "postgres", "api", "worker", "gpu-worker"]) assert.ok(services[name], `service ${name}`);
    const redis = services.redis.command!.join(" ");
    assert.match(redis, /--appendonly yes/);
    assert.match(redis, /--maxmemory-policy noeviction/, "BullMQ needs noeviction");
    assert.ok(services.redis.volumes?.some((volume) => volume.endsWith(":/data")), "Redis keeps /data on a volume");
    assert.ok(services.postgres.volumes?.some((volume) => volume.endsWith(":/var/lib/postgresql/data")), "PostgreSQL keeps its data on a volume");
    for (const volume of [...services.redis.volumes!, ...services.postgres.volumes!]) {
      assert.ok(volume.split(":")[0] in compose.volumes, `named volume ${volume} is declared`);
    }
    assert.match(services.postgres.image!, /^postgres:17/, "PostgreSQL 17 (Prisma 6's migrate breaks on 18)");
  });

  test("every service has a healthcheck, and the app waits for healthy dependencies", () => {
    for (const [name, service] of Object.entries(services)) assert.ok(service.healthcheck?.test?.length, `${name} has a healthcheck`);
    for (const name of ["api", "worker", "gpu-worker"]) {
      for (const dependency of ["postgres", "redis"]) assert.equal(services[name].depends_on?.[dependency]?.condition, "service_healthy", `${name} waits for ${dependency}`);
    }
    const apiCheck = services.api.healthcheck!.test.join(" ");
    const path = /127\.0\.0\.1:3000(\/\w+)/.exec(apiCheck)?.[1];
    const routeFiles = readdirSync(join(ROOT, "apps/api/routes")).map((file) => readFileSync(join(ROOT, "apps/api/routes", file), "utf8"));
    assert.ok(path && routeFiles.some((source) => source.includes(`path: "${path}"`)), `the API's route table serves ${path}`);
    assert.equal(path, "/readyz", "the API counts as healthy once it is ready (migrated, PostgreSQL and the queue answering)");
  });

  test("workers scale with --scale: no fixed name, no host port; they get time to checkpoint on stop", () => {
    for (const name of ["worker", "gpu-worker"]) {
      const worker = services[name];
      assert.equal(worker.container_name, undefined, `${name} has no container_name`);
      assert.equal(worker.ports, undefined, `${name} publishes no port`);
      assert.equal(worker.init, true, `${name} runs under an init that forwards SIGTERM`);
      assert.ok(worker.stop_grace_period, `${name} has a stop grace period`);
    }
    assert.deepEqual(services["gpu-worker"].profiles, ["gpu"], "GPU workers only where asked for");
    const devices = services["gpu-worker"].deploy?.resources?.reservations?.devices ?? [];
    assert.ok(devices.some((device) => device.driver === "nvidia" && device.capabilities.includes("gpu")), "GPU workers reserve NVIDIA GPUs");
  });

  test("the app's environment: shared database and queue, every ${SETTING} documented in the header", () => {
    for (const [name, service] of ours) {
      const env = service.environment ?? {};
      assert.match(env.DATABASE_URL ?? "", /^postgresql:\/\/\w+:.+@postgres:5432\/\w+$/, `${name} DATABASE_URL`);
      assert.equal(env.REDIS_URL, "redis://redis:6379", `${name} REDIS_URL`);
      assert.ok(env.SGAN_QUEUE_BACKEND, `${name} states its queue backend (no probing inside a container)`);
    }
    assert.equal(services.api.environment?.HOST, "0.0.0.0", "the API listens beyond the container");
    const header = composeText.split(/\n(?!#)/)[0];
    const settings = new Set([...composeText.matchAll(/\$\{(\w+)(?::?-[^}]*)?\}/g)].map((match) => match[1]));
    assert.ok(settings.size >= 5);
    for (const setting of settings) assert.match(header, new RegExp(`#\\s+(?:[A-Z_, ]*\\b)?${setting}\\b`), `${setting} is documented in the header`);
  });

  test("builds: contexts, Dockerfiles and their .dockerignore exist; COPY sources exist; npm scripts exist", () => {
    assert.ok(ours.length >= 3);
    for (const [name, service] of ours) {
      const context = resolve(DOCKER, service.build!.context);
      assert.equal(relative(ROOT, context), "", `${name} builds from the repository root`);
      const dockerfile = join(context, service.build!.dockerfile);
      assert.ok(existsSync(dockerfile), `${name}: ${service.build!.dockerfile} exists`);
      assert.ok(existsSync(`${dockerfile}.dockerignore`), `${name}: ${service.build!.dockerfile}.dockerignore keeps node_modules out of the context`);
      assert.match(readFileSync(`${dockerfile}.dockerignore`, "utf8"), /^node_modules$/m);
      for (const { op, args } of instructions(dockerfile)) {
        if (op === "COPY" && !args.includes("--from=")) {
          for (const source of jsonOrWords(args).filter((part) => !part.startsWith("--")).slice(0, -1)) {
            assert.ok(existsSync(join(context, source)), `${service.build!.dockerfile}: COPY source ${source} exists`);
          }
        }
        if (op === "RUN") {
          for (const [, script] of args.matchAll(/npm run ([\w:-]+)/g)) assert.ok(pkg.scripts[script], `${service.build!.dockerfile}: npm script ${script} exists`);
        }
        if (op === "ENTRYPOINT") {
          const entry = jsonOrWords(args);
          if (entry.includes("tsx")) assert.ok(pkg.dependencies.tsx ?? pkg.devDependencies.tsx, "tsx is installed by npm ci");
        }
      }
      assert.ok(
        instructions(dockerfile).some(({ op, args }) => op === "RUN" && /npm ci\b/.test(args)),
        `${service.build!.dockerfile} installs from the lockfile`,
      );
    }
  });

  test("commands and healthchecks name scripts and options that exist, inside the image", () => {
    for (const [name, service] of ours) {
      const dockerfile = join(DOCKER, "..", service.build!.dockerfile);
      const command = service.command ?? [];
      const script = command[0];
      assert.ok(script && existsSync(join(ROOT, script)), `${name}: ${script} exists`);
      assert.ok(inImage(dockerfile, script), `${name}: ${script} is copied into the image`);
      for (const flag of command.filter((part) => part.startsWith("--"))) assert.ok(acceptsOption(script, flag), `${name}: ${script} accepts ${flag}`);
      const check = service.healthcheck!.test;
      const checkScript = check.find((part) => /\.(mjs|js|ts)$/.test(part));
      if (checkScript) {
        assert.ok(existsSync(join(ROOT, checkScript)), `${name}: healthcheck ${checkScript} exists`);
        assert.ok(inImage(dockerfile, checkScript), `${name}: healthcheck ${checkScript} is copied into the image`);
      }
      const defaultCmd = instructions(dockerfile).filter(({ op }) => op === "CMD").at(-1);
      if (defaultCmd) assert.ok(existsSync(join(ROOT, jsonOrWords(defaultCmd.args)[0])), `${service.build!.dockerfile}: default CMD script exists`);
    }
    const check = spawnSync(process.execPath, ["--check", join(DOCKER, "worker-healthcheck.mjs")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
  });

  test("the GPU image: CUDA 11 + cuDNN 8 for tfjs-node-gpu 4.22, the Vulkan loader for WebGPU", () => {
    const gpu = join(ROOT, services["gpu-worker"].build!.dockerfile);
    const steps = instructions(gpu);
    const base = steps.filter(({ op }) => op === "FROM").at(-1)!.args;
    assert.match(base, /^nvidia\/cuda:11\.\d+\.\d+-cudnn8-(runtime|devel)-ubuntu22\.04$/, "CUDA 11.x + cuDNN 8 on a glibc 2.34+ base (the webgpu package needs it)");
    const runs = steps.filter(({ op }) => op === "RUN").map(({ args }) => args).join("\n");
    assert.match(runs, /@tensorflow\/tfjs-node-gpu@4\.22\./);
    assert.match(runs, /\blibvulkan1\b/);
    for (const library of ["libcudart.so.11.0", "libcublas.so.11", "libcudnn.so.8"]) {
      assert.ok(runs.includes(library), `the build opens ${library}, as libtensorflow 2.9 does`);
    }
    assert.match(steps.filter(({ op }) => op === "ENV").map(({ args }) => args).join(" "), /NVIDIA_DRIVER_CAPABILITIES=\S*graphics/);
    const core = JSON.parse(readFileSync(join(ROOT, "node_modules/@tensorflow/tfjs-core/package.json"), "utf8")).version as string;
    assert.match(core, /^4\.22\./, "tfjs-node-gpu 4.22 matches this project's tfjs-core");
  });

  test("no workplace specifics: no local paths, hosts or registries", () => {
    for (const file of ["compose.yaml", "Dockerfile", "Dockerfile.gpu"]) {
      const text = readFileSync(join(DOCKER, file), "utf8");
      assert.doesNotMatch(text, /\/work\/|\/root\/|\/tmp\/|localhost:5000|registry\./, `${file} names nothing of this machine`);
      assert.ok(statSync(join(DOCKER, file)).size > 0);
    }
    assert.equal(dirname(COMPOSE_FILE), DOCKER);
  });
});

describe("docker/worker-healthcheck.mjs against a real database", () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase("healthcheck");
  });
  after(async () => {
    await database?.drop();
  });

  function healthcheck(): number | null {
    return spawnSync(process.execPath, [join(DOCKER, "worker-healthcheck.mjs")], { cwd: ROOT, env: { ...process.env, DATABASE_URL: database.url }, encoding: "utf8" }).status;
  }

  test("unhealthy without a live worker of this host, healthy with one, unhealthy once it stopped", async () => {
    assert.equal(healthcheck(), 1);
    const id = `${hostname()}-1-healthcheck`;
    await registerWorker(database.prisma, { id, host: hostname(), pid: 1, backend: "wasm", device: "test", concurrency: 1, queue: "q" });
    assert.equal(healthcheck(), 0);
    await stopWorker(database.prisma, id);
    assert.equal(healthcheck(), 1);
  });
});
