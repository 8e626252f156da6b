// #/workers: each current worker with its backend, device, running runs and their live progress,
// samples/s, ETA and last heartbeat; dead workers marked as such, stopped ones (one per restart)
// collapsed under their count. Updated from server-sent events, one DOM pass per frame; the "ago"
// times tick locally, without requests.
import { listWorkers } from "../api.ts";
import { badge, h, link, notice, progressBar, setChildren } from "../dom.ts";
import { ago, dateTime, duration, figure, shortId } from "../format.ts";
import { routes } from "../router.ts";
import { AsyncThrottle, FrameBatcher } from "../scheduler.ts";
import { LiveConnection } from "../sse.ts";
import type { RunProgressSnapshot, WorkerInfo } from "../../../../libs/results/contract.ts";
import { isAbort, loadError, markReady, type View } from "./view.ts";

/** Same as the API's WORKER_ALIVE_MS (libs/db/workers.ts): no heartbeat for this long means dead. */
export const WORKER_ALIVE_MS = 30_000;

export interface WorkerState extends WorkerInfo {
  /** When this page last heard from the worker (heartbeat or event), in local ms. */
  seenAt: number;
}

/** Whether a worker counts as alive now: not stopped, not reported dead, heard from recently. */
export function isAlive(worker: Pick<WorkerState, "alive" | "stoppedAt" | "seenAt">, now = Date.now()): boolean {
  return worker.alive && worker.stoppedAt === null && now - worker.seenAt <= WORKER_ALIVE_MS;
}

export function workersView(root: HTMLElement): View {
  const abort = new AbortController();
  const batcher = new FrameBatcher();
  const workers = new Map<string, WorkerState>();
  const rows = new Map<string, HTMLElement>();
  const list = h("div", { id: "workers", class: "workers", dataset: { state: "loading" } }, notice("loading", "Loading workers…"));

  setChildren(
    root,
    h("header", { class: "page-head" }, h("h1", null, "Workers"), h("p", { class: "lede" }, "Training processes and what they are doing now. Progress is live; a worker silent for 30 s is shown as dead.")),
    h("section", { class: "panel" }, list),
  );

  function renderWorker(worker: WorkerState): HTMLElement {
    const alive = isAlive(worker);
    const state = worker.stoppedAt ? "stopped" : alive ? "alive" : "dead";
    const runs = worker.currentRuns.map((run) => {
      const p = worker.progress?.[run.id];
      return runProgress(run.id, p?.sweepId ?? run.sweepId, p);
    });
    return h("article", { class: `worker worker-${state}`, dataset: { id: worker.id, alive: String(alive), state } },
      h("header", null,
        h("h2", null, worker.id, " ", badge(state === "alive" ? "alive" : state)),
        h("div", { class: "sub" }, `${worker.host} · pid ${worker.pid} · queue ${worker.queue} · concurrency ${worker.concurrency}`),
      ),
      h("dl", { class: "worker-facts" },
        h("dt", null, "backend"), h("dd", null, worker.backend),
        h("dt", null, "device"), h("dd", null, worker.device),
        h("dt", null, "last heartbeat"), h("dd", { class: "heartbeat", title: dateTime(worker.lastHeartbeat) }, ago(worker.lastHeartbeat)),
        h("dt", null, "started"), h("dd", { title: dateTime(worker.startedAt) }, ago(worker.startedAt)),
      ),
      runs.length > 0 ? h("div", { class: "worker-runs" }, ...runs) : h("p", { class: "idle" }, state === "alive" ? "Idle: waiting for a run." : "No run."),
    );
  }

  function runProgress(runId: string, sweepId: string | undefined, p: RunProgressSnapshot | undefined): HTMLElement {
    const epochs = p?.epochs;
    const fraction = p && p.batches > 0 ? (epochs ? (p.epoch - 1 + p.batch / p.batches) / epochs : p.batch / p.batches) : 0;
    const text = p ? `epoch ${p.epoch}${epochs ? `/${epochs}` : ""} · batch ${p.batch}/${p.batches}` : "starting…";
    return h("div", { class: "worker-run", dataset: { run: runId, batch: String(p?.batch ?? 0) } },
      h("div", { class: "worker-run-head" },
        link(routes.run(runId), `run ${shortId(runId)}`),
        sweepId ? h("span", null, " in ", link(routes.sweep(sweepId), `sweep ${shortId(sweepId)}`)) : null,
      ),
      progressBar(fraction, text),
      h("div", { class: "sub progress-text" }, text, p ? ` · ${figure(p.samplesPerSec, 3)} samples/s · ETA ${duration(p.etaSeconds)}` : ""),
    );
  }

  /** Re-renders a worker's card in place; a worker new to the page comes with the next full render. */
  function render(id: string): void {
    const worker = workers.get(id);
    const existing = rows.get(id);
    if (!worker || !existing) return;
    const fresh = renderWorker(worker);
    existing.replaceWith(fresh);
    rows.set(id, fresh);
  }

  let stoppedOpen = false;
  function renderAll(): void {
    rows.clear();
    list.replaceChildren();
    if (workers.size === 0) {
      list.appendChild(notice("empty", "No workers yet: start one with ", h("code", null, "npx tsx apps/worker/main.ts"), " (REDIS_URL and DATABASE_URL as for the API). It appears here within seconds."));
      return;
    }
    const ordered = [...workers.values()].sort((a, b) => Number(isAlive(b)) - Number(isAlive(a)) || Date.parse(b.startedAt) - Date.parse(a.startedAt));
    const card = (worker: WorkerState) => {
      const element = renderWorker(worker);
      rows.set(worker.id, element);
      return element;
    };
    const stopped = ordered.filter((worker) => worker.stoppedAt !== null);
    list.append(...ordered.filter((worker) => worker.stoppedAt === null).map(card));
    if (stopped.length === 0) return;
    const details = h("details", { class: "stopped-workers", on: { toggle: () => (stoppedOpen = details.open) } },
      h("summary", null, `${stopped.length} stopped worker${stopped.length === 1 ? "" : "s"}`),
      ...stopped.map(card),
    );
    details.open = stoppedOpen;
    list.appendChild(details);
  }

  async function load(): Promise<void> {
    const fresh = await listWorkers(abort.signal);
    const now = Date.now();
    workers.clear();
    for (const worker of fresh) {
      // Age as the API saw it, carried onto the local clock, so a skewed clock cannot kill a worker.
      const age = Math.max(0, now - Date.parse(worker.lastHeartbeat));
      workers.set(worker.id, { ...worker, seenAt: worker.alive ? now - Math.min(age, WORKER_ALIVE_MS) : now - WORKER_ALIVE_MS - 1 });
    }
    list.dataset.state = "loaded";
    renderAll();
  }
  const refresh = new AsyncThrottle(load, 2000);

  const live = new LiveConnection("/api/events", {
    onEvent: (event) => {
      if (event.type === "worker") {
        const worker = workers.get(event.workerId);
        if (!worker) {
          refresh.request();
          return;
        }
        const now = new Date();
        worker.alive = event.alive;
        worker.host = event.host;
        worker.backend = event.backend;
        worker.device = event.device;
        worker.seenAt = now.getTime();
        worker.lastHeartbeat = now.toISOString();
        const keep = new Set(event.runs);
        worker.currentRuns = worker.currentRuns.filter((run) => keep.has(run.id));
        for (const runId of event.runs) if (!worker.currentRuns.some((run) => run.id === runId)) worker.currentRuns.push({ id: runId, sweepId: worker.progress?.[runId]?.sweepId ?? "" });
        if (worker.progress) for (const runId of Object.keys(worker.progress)) if (!keep.has(runId)) delete worker.progress[runId];
        batcher.schedule(worker.id, () => render(worker.id));
      } else if (event.type === "run-progress") {
        const worker = workers.get(event.workerId);
        if (!worker) {
          refresh.request();
          return;
        }
        const { type: _type, workerId: _worker, ...snapshot } = event;
        worker.progress = { ...(worker.progress ?? {}), [event.runId]: snapshot };
        if (!worker.currentRuns.some((run) => run.id === event.runId)) worker.currentRuns.push({ id: event.runId, sweepId: event.sweepId });
        batcher.schedule(worker.id, () => render(worker.id));
      } else if (event.type === "run-status" && event.status !== "running" && event.workerId) {
        const worker = workers.get(event.workerId);
        if (!worker) return;
        worker.currentRuns = worker.currentRuns.filter((run) => run.id !== event.runId);
        if (worker.progress) delete worker.progress[event.runId];
        batcher.schedule(worker.id, () => render(worker.id));
      }
    },
    onResync: () => refresh.request(),
  });

  // Heartbeat ages and the alive/dead verdict tick once a second, locally.
  const ticker = setInterval(() => {
    for (const worker of workers.values()) {
      const element = rows.get(worker.id);
      if (!element) continue;
      const heartbeat = element.querySelector(".heartbeat");
      if (heartbeat) heartbeat.textContent = ago(worker.lastHeartbeat);
      if (String(isAlive(worker)) !== element.dataset.alive) batcher.schedule(worker.id, () => render(worker.id));
    }
  }, 1000);

  void load().then(
    () => markReady(root, "workers"),
    (error) => {
      if (isAbort(error)) return;
      setChildren(list, loadError(error, () => refresh.request()));
      markReady(root, "workers");
    },
  );

  return {
    destroy() {
      abort.abort();
      live.close();
      refresh.cancel();
      batcher.cancel();
      clearInterval(ticker);
    },
  };
}
