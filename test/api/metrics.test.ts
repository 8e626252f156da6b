// GET /metrics against the real API, PostgreSQL, Redis and a real worker process: the exposition
// parses with a strict Prometheus text reader, it sits behind the read token when reads are
// protected, requests are counted under their route pattern (never a raw URL), and when a tiny sweep
// trains, the epochs counter, the runs and queue gauges and the worker count move with it; a
// worker's heartbeat throughput shows up as its samples/s; the trained run's epochs carry their
// confusion matrices.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { heartbeatWorker, registerWorker, resolveDatabaseUrl, startRun, stopWorker } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { loadDataSplit } from "../../libs/data/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import { classAccuracies, confusionAccuracy, confusionTotal, type RunMetrics, type SweepMetrics } from "../../libs/results/index.ts";
import { NUM_CLASSES } from "../../libs/sgan/index.ts";
import { createSweep } from "../db/helpers.ts";
import { spawnWorker, type WorkerProcess } from "../faults/helpers.ts";
import { parsePrometheusText, PrometheusTextError, sampleValue, type MetricFamily } from "../support/prometheus-text.ts";
import { tinySweep } from "../support/tiny-sweep.ts";
import { waitFor } from "../support/wait-for.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_metrics_test";
const WRITE = "metrics-write-token";
const READ = "metrics-read-token";
const EPOCHS = 2;

describe("GET /metrics", { timeout: 120_000 }, () => {
  let api: TestApi;
  let worker: WorkerProcess | null = null;
  before(async () => {
    api = await startTestApi(DATABASE, { writeTokens: WRITE, readTokens: READ, readRequired: "1" });
  });
  after(async () => {
    worker?.child.kill("SIGKILL");
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  const scrape = async (): Promise<Map<string, MetricFamily>> => {
    const response = await fetch(`${api.url}/metrics`, { headers: { Authorization: `Bearer ${READ}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };
  const value = (families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}) => {
    const found = sampleValue(families, name, labels);
    assert.notEqual(found, undefined, `${name} ${JSON.stringify(labels)} is exposed`);
    return found!;
  };
  const requests = (families: Map<string, MetricFamily>, labels: Record<string, string>) =>
    sampleValue(families, "sgan_http_request_duration_seconds_count", labels) ?? 0;

  it("needs a read token when reads are protected, like GET /api/*", async () => {
    const refused = await call(api.url, "/metrics");
    assert.equal(refused.status, 401);
    assert.match(refused.body.error, /Authorization: Bearer <token>/);
    assert.equal((await call(api.url, "/metrics", { headers: { Authorization: "Bearer wrong" } })).status, 401);
    assert.equal((await call(api.url, "/metrics", { headers: { Authorization: `Bearer ${WRITE}` } })).status, 200, "a write token reads too");
  });

  it("declares every family the docs list, with its type, and parses strictly", async () => {
    const families = await scrape();
    const types = Object.fromEntries([...families.values()].filter((family) => family.name.startsWith("sgan_")).map((family) => [family.name, family.type]));
    assert.deepEqual(types, {
      sgan_http_request_duration_seconds: "histogram",
      sgan_epochs_written_total: "counter",
      sgan_queue_jobs: "gauge",
      sgan_runs: "gauge",
      sgan_workers: "gauge",
      sgan_worker_samples_per_second: "gauge",
    });
    for (const family of families.values()) assert.notEqual(family.help, "", `${family.name} has a HELP line`);
    assert.ok(families.has("process_cpu_user_seconds_total"), "the process's own metrics too");
    for (const status of ["queued", "running", "completed", "failed", "cancelled", "diverged", "pruned"]) assert.equal(value(families, "sgan_runs", { status }), 0);
    assert.equal(value(families, "sgan_epochs_written_total"), 0);
  });

  it("labels requests by route pattern and status, never by the URL's ids", async () => {
    const sweepId = "3f2b8c1e-5d4a-4e9b-8c7d-1a2b3c4d5e6f";
    const read = { Authorization: `Bearer ${READ}` };
    const before = await scrape();
    assert.equal((await call(api.url, `/api/sweeps/${sweepId}`, { headers: read })).status, 404);
    assert.equal((await call(api.url, `/api/sweeps/${sweepId}/best`, { headers: read })).status, 404);
    assert.equal((await call(api.url, `/api/sweeps/${sweepId}`)).status, 401, "refused before the route ran: still counted under it");
    assert.equal((await call(api.url, "/api/no-such-thing", { headers: read })).status, 404);
    const after = await scrape();
    const moved = (labels: Record<string, string>) => requests(after, labels) - requests(before, labels);
    assert.equal(moved({ method: "GET", route: "/api/sweeps/:id", status: "404" }), 1);
    assert.equal(moved({ method: "GET", route: "/api/sweeps/:id/best", status: "404" }), 1);
    assert.equal(moved({ method: "GET", route: "/api/sweeps/:id", status: "401" }), 1);
    assert.equal(moved({ method: "GET", route: "(unmatched)", status: "404" }), 1);
    const routes = new Set(after.get("sgan_http_request_duration_seconds")!.samples.map((sample) => sample.labels.route));
    assert.ok(![...routes].some((route) => route.includes(sweepId) || route.includes("no-such-thing")), [...routes].join(", "));
  });

  it("a worker's heartbeat throughput is its samples/s while alive, and it leaves no series once stopped", async () => {
    const id = `metrics-probe-${process.pid}`;
    await registerWorker(api.ctx.db, { id, host: "probe-host", pid: process.pid, backend: "wasm", device: "cpu", concurrency: 2, queue: "probe" });
    // Progress counts only for runs running on the worker now (a stale heartbeat's finished run does not).
    const { sweep, runs } = await createSweep(api.ctx.db, 2);
    for (const run of runs) await startRun(api.ctx.db, run.id, id, "wasm", "cpu");
    const progress = (runId: string, samplesPerSec: number) => ({ runId, sweepId: sweep.id, epoch: 1, epochs: 2, batch: 3, batches: 8, samplesPerSec, etaSeconds: 4 });
    await heartbeatWorker(api.ctx.db, id, { [runs[0].id]: progress(runs[0].id, 120.5), [runs[1].id]: progress(runs[1].id, 80) });
    const alive = await scrape();
    assert.equal(value(alive, "sgan_worker_samples_per_second", { worker: id, host: "probe-host", backend: "wasm" }), 200.5, "summed over its runs");
    assert.equal(value(alive, "sgan_workers", { state: "alive" }), 1);
    await stopWorker(api.ctx.db, id);
    const stopped = await scrape();
    assert.equal(sampleValue(stopped, "sgan_worker_samples_per_second", { worker: id }), undefined);
    assert.deepEqual([value(stopped, "sgan_workers", { state: "alive" }), value(stopped, "sgan_workers", { state: "stopped" })], [0, 1]);
    await api.ctx.db.sweep.delete({ where: { id: sweep.id } });
    await api.ctx.db.worker.delete({ where: { id } });
  });

  it("counters and gauges move when a sweep trains", async () => {
    const before = await scrape();
    const submitted = await call(api.url, "/api/sweeps", {
      method: "POST",
      headers: { Authorization: `Bearer ${WRITE}`, "Content-Type": "application/json" },
      body: JSON.stringify(tinySweep("metrics", [1e-3], EPOCHS, 32)),
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const queued = await scrape();
    assert.equal(value(queued, "sgan_runs", { status: "queued" }), 1);
    assert.equal(value(queued, "sgan_queue_jobs", { state: "waiting" }) + value(queued, "sgan_queue_jobs", { state: "prioritized" }), 1, "its job waits");
    assert.equal(requests(queued, { method: "POST", route: "/api/sweeps", status: "201" }) - requests(before, { method: "POST", route: "/api/sweeps", status: "201" }), 1);

    const databaseUrl = withDatabase(resolveDatabaseUrl(), DATABASE);
    worker = spawnWorker({ queueName: api.ctx.queue.queue.name, databaseUrl, redisUrl: redisUrl() });
    const done = await waitFor(
      "the run to complete, as /metrics tells",
      async () => {
        const families = await scrape();
        return value(families, "sgan_runs", { status: "completed" }) === 1 && value(families, "sgan_epochs_written_total") === EPOCHS ? families : null;
      },
      60_000,
      200,
    );
    assert.equal(value(done, "sgan_runs", { status: "queued" }), 0);
    assert.equal(value(done, "sgan_queue_jobs", { state: "completed" }), 1);
    assert.equal(value(done, "sgan_queue_jobs", { state: "waiting" }), 0);
    assert.equal(value(done, "sgan_workers", { state: "alive" }), 1, "the worker heartbeats");
    assert.ok(sampleValue(done, "sgan_worker_samples_per_second", { backend: "wasm" }) !== undefined, "an alive worker has a throughput series");
  });

  it("the trained run's epochs carry the confusion matrix of the held-out split (GET /api/runs/:id/metrics), the sweep's rows do not", async () => {
    const read = { Authorization: `Bearer ${READ}` };
    const run = await api.ctx.db.run.findFirstOrThrow({ where: { status: "completed" } });
    const { test } = await loadDataSplit({ imgSize: 28, limit: 32 });
    const metrics: RunMetrics = (await call(api.url, `/api/runs/${run.id}/metrics`, { headers: read })).body;
    assert.equal(metrics.epochs.length, EPOCHS);
    for (const epoch of metrics.epochs) {
      const confusion = epoch.confusion!;
      assert.equal(confusion.length, NUM_CLASSES);
      assert.ok(confusion.every((row) => row.length === NUM_CLASSES && row.every((count) => Number.isInteger(count) && count >= 0)), JSON.stringify(confusion));
      assert.equal(confusionTotal(confusion), test.count, "every held-out image counted once");
      assert.equal(confusionAccuracy(confusion), epoch.testAccuracy, "its diagonal's share is the stored test accuracy");
      assert.deepEqual(epoch.classAccuracy, classAccuracies(confusion));
    }
    const sweep: SweepMetrics = (await call(api.url, `/api/sweeps/${run.sweepId}/metrics`, { headers: read })).body;
    assert.equal("confusion" in sweep.runs[0].epochs[0], false, "the sweep's curves stay lean");
  });
});

// What Prometheus itself accepts as a value (Go's strconv.ParseFloat less p, P and _, prometheus/common
// expfmt): prom-client writes NaN as `Nan` (an event-loop-lag window with no sample), which it reads.
describe("the strict reader's sample values", () => {
  const read = (value: string) => sampleValue(parsePrometheusText(`# TYPE g gauge\ng ${value}\n`), "g");

  it("reads NaN in any letter case and Inf or Infinity, signed or not, as Prometheus does", () => {
    for (const nan of ["NaN", "Nan", "nan", "NAN"]) assert.ok(Number.isNaN(read(nan)), nan);
    for (const inf of ["+Inf", "Inf", "inf", "+infinity", "INFINITY"]) assert.equal(read(inf), Infinity, inf);
    for (const inf of ["-Inf", "-inf", "-Infinity"]) assert.equal(read(inf), -Infinity, inf);
    assert.deepEqual(["1", "-0.5", "+.5", "1.", "2.5e-3", "1E3", "007"].map(read), [1, -0.5, 0.5, 1, 0.0025, 1000, 7]);
    assert.equal(sampleValue(parsePrometheusText("# TYPE g gauge\ng 1 -1700000000000\n"), "g"), 1, "a signed timestamp");
  });

  it("refuses what Prometheus refuses: a signed NaN, hexadecimal, digit separators, past float64 or int64", () => {
    for (const value of ["+NaN", "-nan", "infin", "Infinityy", "0x1p3", "0x10", "1_000", "1e400", "-1e400", "1e", ".", "", "1.2.3"]) {
      assert.throws(() => read(value), PrometheusTextError, JSON.stringify(value));
    }
    assert.throws(() => parsePrometheusText("# TYPE g gauge\ng 1 9223372036854775808\n"), PrometheusTextError, "a timestamp past int64");
  });
});
