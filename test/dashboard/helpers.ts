// The dashboard against the real stack: the API in-process on its own PostgreSQL database and
// BullMQ queue, data seeded through libs/db and libs/sweep (no training), and headless Chromium.
import { constants } from "node:fs";
import { access, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { buildDashboard } from "../../apps/dashboard/build.ts";
import {
  finishRun,
  recordEpoch,
  registerWorker,
  resolveDatabaseUrl,
  startRun,
  type EpochMetricInput,
  type FinalRunStatus,
  type PrismaClient,
  type Run,
} from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { asJson } from "../../libs/db/values.ts";
import { createLogger } from "../../libs/log/index.ts";
import { encodeSampleGrid } from "../../libs/sgan/sample-grid.ts";
import { storeSweep } from "../../libs/service/index.ts";
import { summarizeRun } from "../../libs/results/index.ts";
import { parseSweepConfig } from "../../libs/sweep/index.ts";
import { dropDatabase } from "../db/helpers.ts";

process.env.LOG_LEVEL ??= "warn";

export const SCREENSHOT_DIR = join(process.cwd(), "test-output", "screenshots");

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface DashboardEnv {
  api: RunningApi;
  url: string;
  db: PrismaClient;
  close(): Promise<void>;
}

/** Builds the dashboard into a temporary folder and starts the API serving it, on a fresh database. */
export async function startDashboard(label: string): Promise<DashboardEnv> {
  const staticDir = await mkdtemp(join(tmpdir(), "sgan-dashboard-"));
  await buildDashboard({ outdir: staticDir, minify: true });
  const name = `sgan_dashboard_${label}_${process.pid}`;
  const databaseUrl = withDatabase(resolveDatabaseUrl(), name);
  const api = await startApi({
    log: createLogger("api"),
    port: 0,
    databaseUrl,
    queueName: `sgan-dashboard-${label}-${process.pid}`,
    reconcileMs: 0,
    staticDir,
  });
  return {
    api,
    url: api.url,
    db: api.ctx.db,
    async close() {
      await api.ctx.queue.queue.obliterate({ force: true }).catch(() => undefined);
      await api.close();
      await dropDatabase(databaseUrl, name);
      await rm(staticDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors seen so far (CSP violations included). */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1440, height: 1000 }): Promise<Browser> {
  try {
    await access(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`);
  }
  const profile = await mkdtemp(join(tmpdir(), "sgan-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a hash route and waits until its view says it has rendered. */
export async function openView(page: Page, baseUrl: string, route: string, view: string): Promise<void> {
  const target = `${baseUrl}/#${route}`;
  if (page.url().startsWith(baseUrl)) await page.evaluate((hash) => (location.hash = hash), route);
  else await page.goto(target);
  await page.waitForSelector(`[data-view="${view}"][data-ready="true"]`, { timeout: 20_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Plans the config with libs/sweep and stores sweep and runs as submitSweep does, without enqueueing. */
export async function seedSweep(db: PrismaClient, config: unknown): Promise<{ sweepId: string; runs: Run[] }> {
  const { sweep, runs } = await storeSweep(db, parseSweepConfig(config));
  return { sweepId: sweep.id, runs };
}

/** A deterministic pseudo-random number in [-1, 1] from integers. */
function noise(...keys: number[]): number {
  let x = 0;
  for (const key of keys) x = Math.sin(x * 12.9898 + key * 78.233 + 0.5) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

/**
 * A plausible epoch of SGAN training for a run: accuracy rises towards a plateau that is lower and
 * noisier for large learning rates and small batches, as in the study the sweeps run.
 */
export function syntheticEpoch(run: Pick<Run, "lr" | "batchSize" | "index">, epoch: number): EpochMetricInput & { confusion: number[][] } {
  const instability = Math.min(1, Math.max(0, (Math.log10(run.lr) + 3.9) * 0.9 + 16 / run.batchSize));
  const plateau = 0.95 - 0.25 * instability;
  const jitter = 0.08 * instability * noise(run.index, epoch);
  const testAccuracy = Math.min(0.995, Math.max(0.05, plateau * (1 - Math.exp(-epoch / 4)) + jitter));
  const dAccMean = 0.6 + 0.15 * instability * noise(run.index, epoch, 1);
  const dLossMean = 0.9 - 0.2 * testAccuracy + 0.05 * noise(run.index, epoch, 2);
  const gLossMean = 1.2 + 0.4 * instability + 0.1 * noise(run.index, epoch, 3);
  const spread = 0.05 + 0.3 * instability;
  return {
    epoch,
    batches: Math.ceil(2000 / run.batchSize),
    dLossMean,
    dLossStd: spread / 3,
    dLossMin: dLossMean - spread,
    dLossMax: dLossMean + spread,
    gLossMean,
    gLossStd: spread / 2,
    gLossMin: gLossMean - spread,
    gLossMax: gLossMean + spread * (1 + 2 * Math.abs(noise(run.index, epoch, 4))),
    dAccMean,
    dAccStd: spread / 4,
    dAccMin: Math.max(0, dAccMean - spread),
    dAccMax: Math.min(1, dAccMean + spread),
    testAccuracy,
    testClassLoss: 2.3 * (1 - testAccuracy),
    confusion: syntheticConfusion(run.index, epoch, testAccuracy),
    samplesPerSec: 400 + 4 * run.batchSize,
    wallSeconds: 2000 / (400 + 4 * run.batchSize),
  };
}

/** Held-out images per class of syntheticConfusion's matrices. */
export const SYNTHETIC_CLASS_IMAGES = 100;

/**
 * A 10-class confusion matrix of SYNTHETIC_CLASS_IMAGES images per class whose classes are right about
 * `accuracy` of the time, some more and some less, each class's misses split between two neighbours.
 */
function syntheticConfusion(runIndex: number, epoch: number, accuracy: number): number[][] {
  const classes = 10;
  return Array.from({ length: classes }, (_, trueClass) => {
    const rate = Math.min(1, Math.max(0, accuracy + 0.1 * noise(runIndex, epoch, 10 + trueClass)));
    const right = Math.round(rate * SYNTHETIC_CLASS_IMAGES);
    const misses = SYNTHETIC_CLASS_IMAGES - right;
    const row = new Array<number>(classes).fill(0);
    row[trueClass] = right;
    row[(trueClass + 1) % classes] += Math.ceil(misses / 2);
    row[(trueClass + 3) % classes] += Math.floor(misses / 2);
    return row;
  });
}

/** A 4-image sample grid, 8 px each: a small valid PNG like the ones workers store. */
export function samplePng(epoch: number): Buffer {
  const side = 8;
  const pixels = new Float32Array(4 * side * side).map((_, i) => Math.sin(i * 0.3 + epoch) * 0.9);
  return encodeSampleGrid(pixels, 4, side, 2);
}

/**
 * Gives the run `epochs` epochs through the project's own calls: startRun on the worker, then
 * recordEpoch per epoch (metrics, sample grid, summary), then finishRun unless the final status is
 * "running". `bulk` writes the epoch rows in one statement (the benchmark's 10,000 rows).
 */
export async function trainRun(
  db: PrismaClient,
  run: Run,
  workerId: string,
  epochs: number,
  status: FinalRunStatus | "running",
  options: { bulk?: boolean; png?: boolean } = {},
): Promise<EpochMetricInput[]> {
  await startRun(db, run.id, workerId, "cpu", "2 cores");
  const rows = Array.from({ length: epochs }, (_, i) => syntheticEpoch(run, i + 1));
  if (status === "diverged" && rows.length > 0) {
    const last = rows[rows.length - 1];
    Object.assign(last, { gLossMean: NaN, gLossMax: Infinity, dLossMean: NaN });
  }
  // Prisma would turn a diverged run's NaN into null (refused): such runs go through recordEpoch.
  if (options.bulk && status !== "diverged") {
    await db.epochMetric.createMany({ data: rows.map((row) => ({ ...row, runId: run.id })) });
    const summary = summarizeRun(rows);
    await db.run.update({
      where: { id: run.id },
      data: { epochsDone: epochs, summary: asJson(summary), finalTestAccuracy: summary.finalTestAccuracy, bestTestAccuracy: summary.bestTestAccuracy },
    });
  } else {
    for (const [i, row] of rows.entries()) {
      await recordEpoch(db, run.id, row, options.png === false ? null : samplePng(row.epoch), summarizeRun(rows.slice(0, i + 1)));
    }
  }
  if (status !== "running") {
    await finishRun(db, run.id, status, status === "diverged" ? { divergedEpoch: epochs, error: "g_loss is NaN" } : {});
  }
  return rows;
}

export async function registerTestWorker(db: PrismaClient, id: string): Promise<void> {
  await registerWorker(db, { id, host: "test-host", pid: 4242, backend: "cpu", device: "2 cores", concurrency: 1, queue: "sgan-dashboard" });
}
