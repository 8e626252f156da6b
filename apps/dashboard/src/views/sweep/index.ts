// #/sweeps/:id: the run table, learning curves of the selected runs, the optimization history,
// parallel coordinates, the stability map, mean +- std across repeats, the best runs by the API's
// ranking and the parameters' importance, one module per panel. This module loads
// the data, keeps it current from server-sent events (the DOM is touched once per frame, charts
// redraw at most every CHART_REDRAW_MS) and tells the panels when to draw.
import { getBest, getRunMetrics, getSweep, getSweepMetrics } from "../../api.ts";
import { h, link, notice, setChildren } from "../../dom.ts";
import { routes } from "../../router.ts";
import { AsyncThrottle, FrameBatcher } from "../../scheduler.ts";
import { LiveConnection } from "../../sse.ts";
import { ApiError, parameterFormat, type SweepRunMetrics } from "../../../../../libs/results/contract.ts";
import { isAbort, loadError, markReady, timed, type View } from "../view.ts";
import { bestPanel } from "./best.ts";
import { curvesPanel } from "./curves.ts";
import { headerPanel } from "./header.ts";
import { historyPanel } from "./history.ts";
import { importancePanel } from "./importance.ts";
import { lineagePanel } from "./lineage.ts";
import { applyLiveEvent } from "./live.ts";
import { parallelPanel } from "./parallel.ts";
import { repeatsPanel } from "./repeats.ts";
import { runsPanel } from "./runs.ts";
import { stabilityMapPanel } from "./stability-map.ts";
import { formatOf, hasEpochs, type SweepState } from "./state.ts";

const DETAIL_REFRESH_MS = 5000;
const METRICS_REFRESH_MS = 2000;
/** More runs with new epochs than this in one refresh: fetch the whole sweep's rows in one request instead. */
const MAX_RUN_REQUESTS = 12;

export function sweepView(root: HTMLElement, sweepId: string): View {
  const abort = new AbortController();
  const batcher = new FrameBatcher();
  const state: SweepState = { sweepId, signal: abort.signal, detail: null, keys: [], format: parameterFormat([]), epochs: new Map(), progress: new Map(), selected: new Set(), smoothing: 0 };
  const dirtyRuns = new Set<string>();

  const header = headerPanel(state, () => detailRefresh.request());
  const curves = curvesPanel(state, {
    select: (runIds) => select(runIds),
    filteredRunIds: () => runs.visibleRunIds(),
    smoothingChanged: () => repeats.request(),
  });
  const runs = runsPanel(state, {
    selectionChanged: () => selectionChanged(false),
    hover: (runId) => batcher.schedule("hover", () => curves.highlight(runId)),
    filterChanged: () => curves.updateSelectionInfo(),
  });
  const map = stabilityMapPanel(state, (configKey) => runs.filterTo(configKey, true));
  const repeats = repeatsPanel(state);
  const history = historyPanel(state);
  const parallel = parallelPanel(state, (configKey) => runs.filterTo(configKey, true));
  const best = bestPanel(state, { showConfiguration: (configKey) => runs.filterTo(configKey, false), select: (runIds) => select(runIds) });
  const importance = importancePanel(state);
  const lineage = lineagePanel(state);
  setChildren(
    root,
    header.element,
    curves.element,
    runs.element,
    h("div", { class: "two-col" }, history.element, parallel.element),
    h("div", { class: "two-col" }, map.element, repeats.element),
    best.element,
    importance.element,
    lineage.element,
  );

  function select(runIds: Iterable<string>): void {
    state.selected = new Set(runIds);
    selectionChanged(true);
  }

  function selectionChanged(syncCheckboxes: boolean): void {
    if (syncCheckboxes) runs.syncCheckboxes();
    curves.updateSelectionInfo();
    curves.request();
    repeats.request();
  }

  function storeMetrics(metrics: SweepRunMetrics[]): void {
    for (const run of metrics) state.epochs.set(run.runId, run.epochs);
  }

  async function loadDetail(): Promise<void> {
    const fresh = await getSweep(sweepId, abort.signal);
    state.detail = fresh;
    state.format = formatOf(fresh);
    for (const run of fresh.runs) if (run.status !== "running") state.progress.delete(run.id);
    header.render();
    runs.setRows(fresh.runs);
    map.render();
    history.render();
    parallel.render();
    repeats.request();
    curves.request();
  }

  /**
   * Epoch rows of the runs that had new epochs (their within-epoch bands included): run by run when a
   * few runs are training, the whole sweep in one request when many are.
   */
  async function loadDirtyMetrics(): Promise<void> {
    const ids = [...dirtyRuns];
    dirtyRuns.clear();
    if (ids.length > MAX_RUN_REQUESTS) {
      storeMetrics((await getSweepMetrics(sweepId, abort.signal)).runs);
      ids.length = 0;
    }
    for (let i = 0; i < ids.length; i += 4) {
      const batch = await Promise.all(ids.slice(i, i + 4).map((id) => getRunMetrics(id, abort.signal).catch(() => null)));
      storeMetrics(batch.filter((metrics) => metrics !== null));
    }
    curves.request();
    repeats.request();
  }

  const detailRefresh = new AsyncThrottle(async () => {
    await loadDetail();
    await best.load();
    await importance.load();
    await lineage.load();
  }, DETAIL_REFRESH_MS);
  const metricsRefresh = new AsyncThrottle(loadDirtyMetrics, METRICS_REFRESH_MS);

  const live = new LiveConnection(`/api/events?sweepId=${encodeURIComponent(sweepId)}`, {
    onEvent: (event) =>
      applyLiveEvent(state, event, {
        rowChanged: (runId) => batcher.schedule(`row:${runId}`, () => runs.refreshRow(runId)),
        epochAdded: (runId) => {
          dirtyRuns.add(runId);
          metricsRefresh.request();
          curves.request();
        },
        sweepChanged: () => detailRefresh.request(),
      }),
    onResync: () => {
      void getSweepMetrics(sweepId, abort.signal).then((metrics) => {
        storeMetrics(metrics.runs);
        curves.request();
      }, () => undefined);
      detailRefresh.request();
    },
  });

  async function first(): Promise<void> {
    try {
      const fetchStart = performance.now();
      // The ranking is computed by the API from the same rows: ask for it at the same time.
      const bestRequest = getBest(sweepId, best.options(), abort.signal).catch((error: unknown) => error as Error);
      const importanceShown = importance.load();
      const [fresh, metrics] = await Promise.all([getSweep(sweepId, abort.signal), getSweepMetrics(sweepId, abort.signal)]);
      performance.measure("sweep:fetch", { start: fetchStart, end: performance.now() });
      state.detail = fresh;
      state.format = formatOf(fresh);
      storeMetrics(metrics.runs);
      state.keys = [...state.format.varying];
      state.selected = new Set(fresh.runs.map((run) => run.id));
      document.title = `${fresh.name} · SGAN sweeps`;
      header.render();
      timed("sweep:table", runs.show);
      curves.render();
      timed("sweep:map", map.render);
      timed("sweep:history", history.render);
      timed("sweep:parallel", parallel.render);
      timed("sweep:repeats", repeats.render);
      if (fresh.runs.every((run) => !hasEpochs(state, run.id))) curves.showWaiting();
      const ranking = await bestRequest;
      if (ranking instanceof Error) await best.load();
      else timed("sweep:best", () => best.show(ranking));
      await importanceShown;
      await lineage.load();
      markReady(root, "sweep");
    } catch (error) {
      if (isAbort(error)) return;
      header.showError(error instanceof ApiError && error.status === 404 ? notice("error", `No sweep ${sweepId}. `, link(routes.sweeps(), "Back to the sweeps")) : loadError(error, () => void first()));
      markReady(root, "sweep");
    }
  }
  void first();

  return {
    destroy() {
      abort.abort();
      live.close();
      batcher.cancel();
      detailRefresh.cancel();
      metricsRefresh.cancel();
      for (const panel of [curves, map, history, parallel, repeats, best, importance, lineage]) panel.destroy();
    },
  };
}
