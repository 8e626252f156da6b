// How long the sweep page takes to render a sweep of 200 runs x 50 epochs in headless Chromium, and
// how it copes with redraws and a burst of live events. Needs PostgreSQL, Redis and /usr/bin/chromium.
//   npm run bench:dashboard     (or: npx tsx test/bench/dashboard-render.bench.ts [loads])
import { publishEvent } from "../../libs/queue/index.ts";
import { launchBrowser, registerTestWorker, screenshot, seedSweep, startDashboard, syntheticEpoch, trainRun } from "../dashboard/helpers.ts";

const RUNS = 200;
const EPOCHS = 50;
const LOADS = Number(process.argv[2] ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(0)} ms`;

const env = await startDashboard("bench");
const browser = await launchBrowser({ width: 1440, height: 1000 });
try {
  // 5 batch sizes x 10 learning rates x 4 repeats = 200 runs.
  const seedStart = performance.now();
  const { sweepId, runs } = await seedSweep(env.db, {
    name: "bench: 200 runs x 50 epochs",
    strategy: "grid",
    repeats: 4,
    maxRuns: RUNS,
    fixed: { epochs: EPOCHS, limit: 2000, imgSize: 28 },
    parameters: { batchSize: { log2int: [16, 256] }, lr: { loguniform: [1e-4, 1e-2], points: 10 } },
  });
  if (runs.length !== RUNS) throw new Error(`planned ${runs.length} runs, expected ${RUNS}`);
  await registerTestWorker(env.db, "bench-worker");
  const queue = [...runs];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let run = queue.shift(); run; run = queue.shift()) {
        // A few diverge (their NaN losses go through recordEpoch, as a worker's would).
        await trainRun(env.db, run, "bench-worker", EPOCHS, run.index % 50 === 7 ? "diverged" : "completed", { bulk: true, png: false });
      }
    }),
  );
  console.log(`seeded ${RUNS} runs x ${EPOCHS} epochs in ${ms(performance.now() - seedStart)}`);

  const { page } = browser;
  const loads: Array<{ wall: number; ready: number; metricsMs: number; metricsKiB: number; parts: Record<string, number> }> = [];
  for (let i = 0; i < LOADS; i++) {
    const start = performance.now();
    await page.goto(`${env.url}/?load=${i}#/sweeps/${sweepId}`);
    await page.waitForSelector('[data-view="sweep"][data-ready="true"]', { timeout: 60_000 });
    const wall = performance.now() - start;
    const timing = await page.evaluate(() => {
      const ready = performance.getEntriesByName("sweep-ready")[0]?.startTime ?? NaN;
      const metrics = performance.getEntriesByType("resource").find((entry) => entry.name.endsWith("/metrics")) as PerformanceResourceTiming | undefined;
      const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      const mount = performance.getEntriesByName("sweep-mount")[0]?.startTime ?? NaN;
      const parts = Object.fromEntries(performance.getEntriesByType("measure").filter((entry) => entry.name.startsWith("sweep:")).map((entry) => [entry.name, entry.duration]));
      parts["script loaded, view mounted"] = mount;
      parts["html loaded"] = navigation?.domContentLoadedEventEnd ?? NaN;
      return { ready, metricsMs: metrics?.duration ?? NaN, metricsKiB: (metrics?.decodedBodySize ?? NaN) / 1024, parts };
    });
    loads.push({ wall, ...timing });
  }
  const curves = await page.getAttribute('[data-chart="curves-testAccuracy"]', "data-curves");
  const rows = await page.locator("#run-table tbody tr").count();
  if (curves !== String(RUNS) || rows !== RUNS) throw new Error(`rendered ${curves} curves and ${rows} rows, expected ${RUNS} of each`);
  const shot = await screenshot(page, "sweep-200-runs");

  // Redraws: the smoothing slider, and selecting none then all (4 charts x 200 curves each).
  const redraw = (action: string) =>
    page.evaluate(async (what) => {
      const start = performance.now();
      if (what === "smoothing") {
        const slider = document.querySelector<HTMLInputElement>("#smoothing")!;
        slider.value = slider.value === "0.6" ? "0.3" : "0.6";
        slider.dispatchEvent(new Event("input"));
      } else {
        const button = [...document.querySelectorAll("button")].find((b) => b.textContent === what)!;
        button.click();
      }
      // The throttled redraw runs on the next frame (the last redraw was over 750 ms ago). No named
      // functions in here: tsx would wrap them in a helper the page does not have.
      await new Promise((resolve) => requestAnimationFrame(resolve));
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const curves = performance.getEntriesByName("sweep:curves");
      return { frame: performance.now() - start, curves: curves[curves.length - 1]?.duration ?? NaN };
    }, action);
  if (process.env.PROFILE) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    for (const action of ["smoothing", "none", "all"]) {
      await page.waitForTimeout(800);
      const before = await metrics();
      const took = await redraw(action);
      const after = await metrics();
      const delta = (key: string) => `${key} ${((after[key] - before[key]) * 1000).toFixed(0)} ms`;
      console.log(action, JSON.stringify(took), ["ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration"].map(delta).join(", "), `layouts ${after.LayoutCount - before.LayoutCount}`);
    }
  }
  const smoothing: Array<{ frame: number; curves: number }> = [];
  const reselect: Array<{ frame: number; curves: number }> = [];
  for (let i = 0; i < 3; i++) {
    await page.waitForTimeout(800);
    smoothing.push(await redraw("smoothing"));
    await page.waitForTimeout(800);
    await redraw("none");
    await page.waitForTimeout(800);
    reselect.push(await redraw("all"));
  }

  // A burst of live events: progress for every run and a new epoch for 50 of them, at once.
  await page.waitForSelector('body[data-live="open"]');
  await page.evaluate(() => {
    const state = { longest: 0, total: 0, count: 0 };
    (window as unknown as { longTasks: typeof state }).longTasks = state;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        state.longest = Math.max(state.longest, entry.duration);
        state.total += entry.duration;
        state.count++;
      }
    }).observe({ type: "longtask" });
  });
  const burstStart = performance.now();
  for (const run of runs) {
    await publishEvent(env.api.ctx.publisher, { type: "run-progress", epochs: 3, runId: run.id, sweepId, workerId: "bench-worker", epoch: 50, batch: 60, batches: 125, samplesPerSec: 900, etaSeconds: 10 });
  }
  for (const run of runs.slice(0, 50)) {
    const row = syntheticEpoch(run, EPOCHS);
    await publishEvent(env.api.ctx.publisher, { type: "run-epoch", runId: run.id, sweepId, epoch: EPOCHS, testAccuracy: row.testAccuracy, dAccMean: row.dAccMean, gLossMean: row.gLossMean, dLossMean: row.dLossMean });
  }
  const published = performance.now() - burstStart;
  await page.waitForTimeout(4000);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: { longest: number; total: number; count: number } }).longTasks);
  const requests = await page.evaluate(() => performance.getEntriesByType("resource").filter((entry) => entry.name.includes("/api/")).length);

  const median5 = (key: "wall" | "ready" | "metricsMs") => median(loads.map((load) => load[key]));
  console.log(`\nsweep page, ${RUNS} runs x ${EPOCHS} epochs (${RUNS * EPOCHS} epoch rows), headless Chromium, ${LOADS} loads:`);
  console.log(`  navigation to rendered (all 4 curve charts, table, map, repeats, best): median ${ms(median5("ready"))} [${loads.map((l) => ms(l.ready)).join(", ")}]`);
  console.log(`  wall clock from page.goto to ready, seen from Node:               median ${ms(median5("wall"))}`);
  const partNames = Object.keys(loads[0].parts);
  console.log(`  of which: ${partNames.map((name) => `${name.replace("sweep:", "")} ${ms(median(loads.map((load) => load.parts[name] ?? NaN)))}`).join(", ")}`);
  console.log(`  GET /api/sweeps/:id/metrics (all epoch rows, one request):       median ${ms(median5("metricsMs"))}, ${loads[0].metricsKiB.toFixed(0)} KiB`);
  const redrawLine = (samples: Array<{ frame: number; curves: number }>) =>
    `median ${ms(median(samples.map((s) => s.frame)))} to the next painted frame, of which drawing the curves ${ms(median(samples.map((s) => s.curves)))}`;
  console.log(`  redraw after moving the smoothing slider (4 charts x ${RUNS} curves): ${redrawLine(smoothing)}`);
  console.log(`  redraw after selecting all ${RUNS} runs again (table too):          ${redrawLine(reselect)}`);
  console.log(`  burst of ${RUNS} run-progress + 50 run-epoch events (published in ${ms(published)}): longest task ${ms(longTasks.longest)}, ${longTasks.count} long tasks, ${ms(longTasks.total)} in all; API requests on the page so far: ${requests}`);
  console.log(`  screenshot: ${shot}`);
} finally {
  await browser.close();
  await env.close();
}
