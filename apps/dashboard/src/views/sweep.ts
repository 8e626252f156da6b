// #/sweeps/:id: the run table, learning curves of the selected runs, the stability map, mean +- std
// across repeats, and the best runs by the API's ranking. Live: progress, epochs and statuses arrive
// over server-sent events; the DOM is touched once per frame and charts redraw at most every 750 ms.
import { ApiError, cancelSweep, getBest, getRunMetrics, getSweep, getSweepMetrics } from "../api.ts";
import { CurveChart, StabilityMap, type LineSeries } from "../charts.ts";
import { PALETTE, seriesStyle } from "../colors.ts";
import { badge, h, lineSwatch, link, notice, progressBar, setChildren, setText } from "../dom.ts";
import { ago, dateTime, figure, integer, paramValue, percent, points, shortId } from "../format.ts";
import { routes } from "../router.ts";
import { AsyncThrottle, FrameBatcher, Throttle } from "../scheduler.ts";
import { MAX_SMOOTHING } from "../smoothing.ts";
import { LiveConnection } from "../sse.ts";
import {
  configurationPoints,
  CURVE_METRICS,
  curveMetric,
  domainOf,
  log2Range,
  logRange,
  minMaxBand,
  repeatBand,
  seriesOf,
  STABILITY_FIGURES,
  stabilityFigure,
  varyingKeys,
  type StabilityFigure,
} from "../stability.ts";
import { DataTable, type Column } from "../table.ts";
import { RUN_STATUSES, type BestOptions, type BestResponse, type EpochRow, type ProgressSnapshot, type RunRow, type SweepDetail } from "../types.ts";
import { progressText, runDetails, runFraction, runLabel } from "./run-labels.ts";
import { isAbort, loadError, markReady, onInput, section, select, timed, type View } from "./view.ts";

/** Above this many selected runs the min-max bands are left out: hundreds of shaded areas hide everything. */
export const BAND_LIMIT = 10;
const CURVE_REDRAW_MS = 750;
const DETAIL_REFRESH_MS = 5000;
const METRICS_REFRESH_MS = 2000;
/** More runs with new epochs than this in one refresh: fetch the whole sweep's rows in one request instead. */
const MAX_RUN_REQUESTS = 12;

export function sweepView(root: HTMLElement, sweepId: string): View {
  const abort = new AbortController();
  const batcher = new FrameBatcher();
  const epochs = new Map<string, EpochRow[]>();
  const progress = new Map<string, ProgressSnapshot>();
  const dirtyRuns = new Set<string>();
  let detail: SweepDetail | null = null;
  let keys: string[] = [];
  let selected = new Set<string>();
  let highlighted: string | null = null;
  const settings = {
    smoothing: 0,
    showBands: true,
    mapFigure: "finalTestAccuracy",
    repeatsMetric: "testAccuracy",
    filterText: "",
    filterStatus: "",
    best: { metric: "testAccuracy", scope: "last", k: 5, penalty: 0, limit: 10 } as BestOptions,
  };

  // --- layout -------------------------------------------------------------------------------
  const head = h("header", { class: "page-head" }, notice("loading", "Loading sweep…"));
  const curveCharts = CURVE_METRICS.map(
    (metric) => new CurveChart(`curves-${metric.key}`, { title: metric.label, yAxis: metric.axis, percent: metric.percent, onPick: (runId) => (location.hash = routes.run(runId)) }),
  );
  const repeatsChart = new CurveChart("repeats", { title: `Mean ± std across repeats: ${curveMetric(settings.repeatsMetric).label}`, yAxis: curveMetric(settings.repeatsMetric).axis, percent: curveMetric(settings.repeatsMetric).percent });
  let repeatsChartMetric = settings.repeatsMetric;
  let repeatsChartHolder = h("div", { class: "repeats-chart" }, repeatsChart.element);
  let repeats = repeatsChart;
  const map = new StabilityMap((configKey) => {
    settings.filterText = configKey;
    filterInput.value = configKey;
    applyFilter();
    table?.element.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });

  const smoothingLabel = h("output", { attrs: { for: "smoothing" } }, "off");
  const smoothingInput = h("input", { id: "smoothing", type: "range", attrs: { min: "0", max: String(MAX_SMOOTHING), step: "0.01" }, value: "0", aria: { label: "EMA smoothing" } });
  onInput(smoothingInput, (value) => {
    settings.smoothing = Number(value);
    smoothingLabel.textContent = settings.smoothing === 0 ? "off" : settings.smoothing.toFixed(2);
    curvesRedraw.request();
    repeatsRedraw.request();
  });
  const bandsInput = h("input", { id: "bands", type: "checkbox" });
  bandsInput.checked = true;
  bandsInput.addEventListener("change", () => {
    settings.showBands = bandsInput.checked;
    curvesRedraw.request();
  });
  const selectionInfo = h("span", { class: "selection-info", aria: { live: "polite" } });
  const selectButton = (label: string, pick: () => Iterable<string>) =>
    h("button", { type: "button", on: { click: () => { selected = new Set(pick()); afterSelectionChange(); } } }, label);
  const curveControls = h("div", { class: "controls" },
    h("label", { for: "smoothing" }, "Smoothing (EMA) "), smoothingInput, smoothingLabel,
    h("label", { class: "check", title: "shade the range between the smallest and largest batch value of each epoch" }, bandsInput, " min–max band"),
    selectionInfo,
    h("span", { class: "buttons" },
      "Select: ",
      selectButton("all", () => detail?.runs.map((run) => run.id) ?? []),
      selectButton("none", () => []),
      selectButton("filtered", () => table?.visibleRows().map((run) => run.id) ?? []),
      selectButton("top 10", () => topRuns(10)),
    ),
  );
  const curvesGrid = h("div", { class: "chart-grid" }, ...curveCharts.map((chart) => chart.element));
  const curvesNote = h("p", { class: "note" });

  const filterInput = h("input", { type: "search", id: "run-filter", attrs: { placeholder: "filter: status, worker, lr=2.0e-4, configKey…", autocomplete: "off" }, aria: { label: "filter runs" } });
  onInput(filterInput, (value) => {
    settings.filterText = value;
    applyFilter();
  });
  const statusFilter = select("status", [{ value: "", label: "any status" }, ...RUN_STATUSES.map((status) => ({ value: status, label: status }))], "", "filter by status");
  onInput(statusFilter, (value) => {
    settings.filterStatus = value;
    applyFilter();
  });
  const tableHolder = h("div", { class: "table-scroll" });
  let table: DataTable<RunRow> | null = null;

  const mapFigureSelect = select("mapFigure", STABILITY_FIGURES.map((f) => ({ value: f.key, label: f.label })), settings.mapFigure, "colour the map by");
  onInput(mapFigureSelect, (value) => {
    settings.mapFigure = value;
    renderMap();
  });
  const repeatsSelect = select("repeatsMetric", CURVE_METRICS.map((m) => ({ value: m.key, label: m.label })), settings.repeatsMetric, "metric across repeats");
  onInput(repeatsSelect, (value) => {
    settings.repeatsMetric = value;
    renderRepeats();
  });
  const repeatsNote = h("p", { class: "note" });

  const bestArea = h("div", { class: "best-area" });
  const bestControls = bestForm();

  setChildren(
    root,
    head,
    section("Learning curves of the selected runs", "curves", curveControls, curvesGrid, curvesNote),
    section("Runs", "runs", h("div", { class: "controls" }, filterInput, statusFilter), tableHolder),
    h("div", { class: "two-col" },
      section("Stability map", "stability", h("p", { class: "note" }, "Each point is a configuration: learning rate against batch size, coloured by the chosen figure (mean over its completed repeats). Click a point to list its runs."), h("div", { class: "controls" }, h("label", null, "Colour by ", mapFigureSelect)), map.element),
      section("Across repeats", "repeats", h("p", { class: "note" }, "Per configuration: the mean of its repeats per epoch, shaded ± one standard deviation."), h("div", { class: "controls" }, h("label", null, "Metric ", repeatsSelect)), repeatsChartHolder, repeatsNote),
    ),
    section("Best runs", "best", h("p", { class: "note" }, "Ranked by the API (", h("code", null, `GET /api/sweeps/:id/best`), "), the same ranking as the CLI."), bestControls, bestArea),
  );

  // --- rendering ----------------------------------------------------------------------------
  const totalEpochs = () => {
    const fixed = detail?.config.fixed?.epochs;
    return typeof fixed === "number" ? fixed : detail?.runs[0]?.params.epochs ?? 0;
  };

  function renderHead(): void {
    if (!detail) return;
    const sweep = detail;
    const total = sweep.runs.length;
    const E = totalEpochs();
    const done = sweep.runs.reduce((sum, run) => sum + Math.min(E, Math.max(run.epochsDone, 0)), 0);
    const fixed = Object.entries(sweep.config.fixed ?? {}).map(([key, value]) => `${key} ${paramValue(key, value)}`);
    const constant = sweep.runs[0] ? Object.entries(sweep.runs[0].hyperparameters).filter(([key]) => !keys.includes(key)).map(([key, value]) => `${key} ${paramValue(key, value)}`) : [];
    const cancel = sweep.status === "active" ? h("button", { type: "button", class: "danger", on: { click: () => void doCancel() } }, "Cancel sweep") : null;
    setChildren(
      head,
      h("div", { class: "crumbs" }, link(routes.sweeps(), "Sweeps"), " / "),
      h("h1", null, sweep.name, " ", badge(sweep.status)),
      h("p", { class: "lede" },
        `${total} runs, ${sweep.strategy} strategy, priority ${sweep.priority}, created `,
        h("time", { attrs: { datetime: sweep.createdAt }, title: dateTime(sweep.createdAt) }, ago(sweep.createdAt)),
        ".",
      ),
      h("p", { class: "fixed" }, h("strong", null, "Same for every run: "), [...fixed, ...constant].join(", ") || "–"),
      h("div", { class: "head-progress" },
        progressBar(total && E ? done / (total * E) : 0, `${done} of ${total * E} epochs trained`),
        h("span", { class: "counts" }, `${integer(done)} / ${integer(total * E)} epochs · `, ...RUN_STATUSES.filter((status) => sweep.counts[status] > 0).map((status) => h("span", { class: `count status-${status}` }, `${sweep.counts[status]} ${status}`))),
        cancel,
      ),
    );
  }

  async function doCancel(): Promise<void> {
    if (!detail || !confirm(`Cancel sweep "${detail.name}"? Queued runs are cancelled, running ones stop within a batch.`)) return;
    try {
      await cancelSweep(detail.id);
    } catch (error) {
      alert(`Cancelling failed: ${(error as Error).message}`);
    }
    detailRefresh.request();
  }

  function buildTable(): DataTable<RunRow> {
    const E = () => totalEpochs();
    const figureColumn = (fig: StabilityFigure): Column<RunRow> => ({
      key: fig.key,
      label: fig.label,
      help: `${fig.help} (${fig.better} is better)`,
      numeric: true,
      sort: (run) => run.summary?.[fig.key] ?? null,
      render: (run) => formatFigure(fig, run.summary?.[fig.key] ?? null),
    });
    const columns: Column<RunRow>[] = [
      {
        key: "select",
        label: "Show",
        help: "draw this run's curves",
        render: (run) => {
          const box = h("input", { type: "checkbox", aria: { label: `show run #${run.index}` }, dataset: { run: run.id } });
          box.checked = selected.has(run.id);
          box.addEventListener("change", () => {
            if (box.checked) selected.add(run.id);
            else selected.delete(run.id);
            afterSelectionChange(false);
          });
          const style = seriesStyle(run.index);
          return h("label", { class: "pick" }, box, lineSwatch(style.color, style.dash, `colour of run #${run.index}`));
        },
      },
      { key: "index", label: "#", numeric: true, sort: (run) => run.index, render: (run) => link(routes.run(run.id), `#${run.index}`) },
      { key: "repeat", label: "repeat", numeric: true, sort: (run) => run.repeat, render: (run) => String(run.repeat) },
      ...keys.map((key): Column<RunRow> => ({
        key: `hp-${key}`,
        label: key,
        help: `hyperparameter ${key}`,
        numeric: true,
        sort: (run) => sortable((run.hyperparameters as unknown as Record<string, unknown>)[key]),
        render: (run) => paramValue(key, (run.hyperparameters as unknown as Record<string, unknown>)[key]),
      })),
      { key: "status", label: "status", sort: (run) => run.status, render: (run) => [badge(run.status), run.error ? h("div", { class: "sub error-text", title: run.error }, run.error.slice(0, 60)) : null] },
      { key: "worker", label: "worker", sort: (run) => run.workerId, render: (run) => (run.workerId ? h("span", { title: `${run.backend ?? ""} ${run.device ?? ""}` }, run.workerId) : "–") },
      {
        key: "progress",
        label: "progress",
        help: "epochs trained; live batch progress while running",
        sort: (run) => runFraction(run, E(), progress.get(run.id)),
        render: (run) => {
          const live = progress.get(run.id);
          return [progressBar(runFraction(run, E(), live), progressText(run, E(), live)), h("div", { class: "sub" }, progressText(run, E(), live))];
        },
      },
      ...STABILITY_FIGURES.filter((fig) => fig.key !== "lastKMeanTestAccuracy" && fig.key !== "maxGLoss").map(figureColumn),
    ];
    return new DataTable<RunRow>({
      id: "run-table",
      columns,
      rowId: (run) => run.id,
      initialSort: { key: "index", direction: "asc" },
      rowClass: (run) => `status-row-${run.status}`,
      onRowHover: (id) => batcher.schedule("hover", () => setHighlight(id)),
    });
  }

  function setHighlight(id: string | null): void {
    if (highlighted === id) return;
    highlighted = id;
    for (const chart of curveCharts) chart.highlight(id);
  }

  function runFilter(run: RunRow): boolean {
    if (settings.filterStatus && run.status !== settings.filterStatus) return false;
    const terms = settings.filterText.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length === 0) return true;
    const hyper = run.hyperparameters as unknown as Record<string, unknown>;
    const haystack = [
      `#${run.index}`, run.id, run.configKey, run.status, run.workerId ?? "", `repeat=${run.repeat}`,
      ...Object.entries(hyper).flatMap(([key, value]) => [`${key}=${paramValue(key, value)}`, `${key}=${String(value)}`]),
    ].join(" ").toLowerCase();
    return terms.every((term) => haystack.includes(term));
  }

  function applyFilter(): void {
    table?.setFilter(runFilter);
    updateSelectionInfo();
  }

  function afterSelectionChange(syncCheckboxes = true): void {
    if (syncCheckboxes) {
      for (const box of tableHolder.querySelectorAll<HTMLInputElement>("input[data-run]")) box.checked = selected.has(box.dataset.run!);
    }
    updateSelectionInfo();
    curvesRedraw.request();
    repeatsRedraw.request();
  }

  function updateSelectionInfo(): void {
    if (!detail) return;
    const shown = detail.runs.filter((run) => selected.has(run.id) && (epochs.get(run.id)?.length ?? 0) > 0).length;
    setText(selectionInfo, `${shown} of ${detail.runs.length} runs drawn (${selected.size} selected; runs without epochs have no curve)`);
  }

  function selectedRunsWithEpochs(): RunRow[] {
    return (detail?.runs ?? []).filter((run) => selected.has(run.id) && (epochs.get(run.id)?.length ?? 0) > 0);
  }

  function renderCurves(): void {
    const runs = selectedRunsWithEpochs();
    const bands = settings.showBands && runs.length <= BAND_LIMIT;
    for (const [i, metric] of CURVE_METRICS.entries()) {
      const series: LineSeries[] = runs.map((run) => {
        const rows = epochs.get(run.id)!;
        return {
          id: run.id,
          label: runLabel(run),
          details: runDetails(run, keys),
          style: seriesStyle(run.index),
          points: seriesOf(rows, metric.column),
          band: bands ? minMaxBand(rows, metric) : null,
        };
      });
      curveCharts[i].setSeries(series, { smoothing: settings.smoothing, showBands: bands });
    }
    curvesGrid.dataset.curves = String(runs.length);
    setText(
      curvesNote,
      settings.showBands && !bands
        ? `Min–max bands are drawn for ${BAND_LIMIT} runs or fewer; ${runs.length} are selected. Test accuracy has no band (it is measured once per epoch).`
        : "Shaded: the smallest to largest batch value within each epoch. Test accuracy is measured once per epoch, so it has no band. Hover a row to pick out its curve; click a curve to open the run.",
    );
    updateSelectionInfo();
  }

  function renderRepeats(): void {
    if (!detail) return;
    const metric = curveMetric(settings.repeatsMetric);
    if (repeatsChartMetric !== metric.key) {
      // The axis title and unit depend on the metric: a fresh chart.
      repeats.destroy();
      repeats = new CurveChart("repeats", { title: `Mean ± std across repeats: ${metric.label}`, yAxis: metric.axis, percent: metric.percent });
      repeatsChartMetric = metric.key;
      const holder = h("div", { class: "repeats-chart" }, repeats.element);
      repeatsChartHolder.replaceWith(holder);
      repeatsChartHolder = holder;
    }
    const groups = new Map<string, RunRow[]>();
    for (const run of detail.runs) {
      if (!selected.has(run.id) || (epochs.get(run.id)?.length ?? 0) === 0) continue;
      const group = groups.get(run.configKey);
      if (group) group.push(run);
      else groups.set(run.configKey, [run]);
    }
    const configOrder = [...new Set(detail.runs.map((run) => run.configKey))];
    const series: LineSeries[] = [...groups].map(([configKey, members]) => {
      const band = repeatBand(members.map((run) => epochs.get(run.id)!), metric.column);
      const colorIndex = configOrder.indexOf(configKey);
      return {
        id: configKey,
        label: `configuration ${configKey} (${members.length} repeat${members.length === 1 ? "" : "s"})`,
        details: runDetails(members[0], keys).slice(0, -1),
        style: { color: PALETTE[colorIndex % PALETTE.length], dash: [] },
        points: band.map((p) => ({ x: p.epoch, y: p.mean })),
        band: { lower: band.map((p) => ({ x: p.epoch, y: p.mean - p.std })), upper: band.map((p) => ({ x: p.epoch, y: p.mean + p.std })) },
      };
    });
    repeats.setSeries(series, { smoothing: settings.smoothing, showBands: true });
    const single = [...groups.values()].every((members) => members.length < 2);
    setText(repeatsNote, groups.size === 0 ? "No selected run has epochs yet." : single ? "Each configuration shown has one run with epochs, so there is no spread yet." : `${groups.size} configurations.`);
  }

  function renderMap(): void {
    if (!detail) return;
    const fig = stabilityFigure(settings.mapFigure);
    const pts = configurationPoints(detail.runs, fig.key);
    map.setPoints(pts, {
      figureLabel: fig.label,
      better: fig.better,
      format: (value) => formatFigure(fig, value),
      domain: domainOf(pts.map((p) => p.value)),
      xRange: logRange(pts.map((p) => p.lr)),
      yRange: log2Range(pts.map((p) => p.batchSize)),
    });
  }

  function bestForm(): HTMLElement {
    const metric = select("metric", CURVE_METRICS.map((m) => ({ value: m.key, label: m.label })), settings.best.metric, "rank by metric");
    const scope = select("scope", [{ value: "last", label: "last epoch" }, { value: "lastK", label: "mean of last k" }, { value: "max", label: "best epoch" }], settings.best.scope, "scope");
    const k = h("input", { type: "number", name: "k", value: String(settings.best.k), attrs: { min: "1", max: "1000", step: "1" }, aria: { label: "k, epochs in the window" } });
    const penalty = h("input", { type: "number", name: "penalty", value: String(settings.best.penalty), attrs: { min: "0", max: "1000", step: "0.5" }, aria: { label: "penalty per std" } });
    const change = () => {
      settings.best = { ...settings.best, metric: metric.value as BestOptions["metric"], scope: scope.value as BestOptions["scope"], k: Number(k.value), penalty: Number(penalty.value) };
      bestRefresh.request();
    };
    for (const element of [metric, scope, k, penalty]) element.addEventListener("change", change);
    return h("div", { class: "controls best-controls" },
      h("label", null, "Metric ", metric),
      h("label", null, "Scope ", scope),
      h("label", { title: "window of the last k epochs: for lastK and for the std" }, "k ", k),
      h("label", { title: "score = value − penalty × std for accuracies (+ for losses): instability costs" }, "Penalty × std ", penalty),
    );
  }

  function renderBest(best: BestResponse): void {
    const isAccuracy = best.options.metric === "testAccuracy" || best.options.metric === "dAcc";
    const value = (v: number) => (isAccuracy ? percent(v, 2) : figure(v, 4));
    const spread = (v: number) => (isAccuracy ? points(v, 2) : figure(v, 3));
    const byId = new Map(detail?.runs.map((run) => [run.id, run]) ?? []);
    const runRows = best.runs.entries.map((entry) => {
      const run = byId.get(entry.id);
      return h("tr", { dataset: { id: entry.id } },
        h("td", { class: "num" }, String(entry.rank)),
        h("td", null, link(routes.run(entry.id), run ? `#${run.index}` : shortId(entry.id))),
        h("td", { class: "num" }, value(entry.value)),
        h("td", { class: "num" }, spread(entry.std)),
        h("td", { class: "num" }, value(entry.score)),
        h("td", null, badge(entry.status)),
        h("td", { class: "params" }, keys.map((key) => `${key} ${paramValue(key, (entry.params as unknown as Record<string, unknown>)[key])}`).join(", ") || entry.configKey),
      );
    });
    const configRows = best.configurations.entries.map((entry) =>
      h("tr", null,
        h("td", { class: "num" }, String(entry.rank)),
        h("td", null, h("button", { type: "button", class: "linkish", title: "list its runs", on: { click: () => { settings.filterText = entry.configKey; filterInput.value = entry.configKey; applyFilter(); } } }, entry.configKey)),
        h("td", { class: "num" }, value(entry.value)),
        h("td", { class: "num" }, spread(entry.std)),
        h("td", { class: "num" }, value(entry.score)),
        h("td", { class: "num" }, String(entry.runs)),
        h("td", { class: "params" }, keys.map((key) => `${key} ${paramValue(key, (entry.params as unknown as Record<string, unknown>)[key])}`).join(", ")),
      ),
    );
    const head = (...labels: string[]) => h("thead", null, h("tr", null, ...labels.map((label) => h("th", { attrs: { scope: "col" } }, label))));
    setChildren(
      bestArea,
      best.runs.entries.length === 0
        ? notice("empty", `No run can be ranked yet: only completed runs with finite metrics are ranked${leftOutText(best.runs)}.`)
        : h("div", { class: "two-col" },
            h("div", null,
              h("h3", null, `Runs (${best.runs.ranked} ranked${leftOutText(best.runs)})`),
              h("table", { class: "data-table", id: "best-runs" }, head("rank", "run", "value", "std", "score", "status", "hyperparameters"), h("tbody", null, ...runRows)),
              h("button", { type: "button", on: { click: () => { selected = new Set(best.runs.entries.map((entry) => entry.id)); afterSelectionChange(); } } }, "Draw only these runs"),
            ),
            h("div", null,
              h("h3", null, `Configurations across repeats (${best.configurations.ranked} ranked${leftOutText(best.configurations)})`),
              h("table", { class: "data-table", id: "best-configurations" }, head("rank", "configuration", "mean", "std", "score", "repeats", "hyperparameters"), h("tbody", null, ...configRows)),
            ),
          ),
    );
  }

  function topRuns(n: number): string[] {
    return [...(detail?.runs ?? [])]
      .filter((run) => typeof run.finalTestAccuracy === "number")
      .sort((a, b) => (b.finalTestAccuracy ?? 0) - (a.finalTestAccuracy ?? 0))
      .slice(0, n)
      .map((run) => run.id);
  }

  // --- data ---------------------------------------------------------------------------------
  async function loadBest(): Promise<void> {
    try {
      renderBest(await getBest(sweepId, settings.best, abort.signal));
    } catch (error) {
      if (isAbort(error)) return;
      const issues = error instanceof ApiError ? error.issues.map((issue) => `${issue.path}: ${issue.message}`) : [];
      setChildren(bestArea, notice("error", (error as Error).message, ...issues.map((text) => h("div", { class: "field-error" }, text))));
    }
  }

  async function loadDetail(): Promise<void> {
    const fresh = await getSweep(sweepId, abort.signal);
    detail = fresh;
    for (const run of fresh.runs) if (run.status !== "running") progress.delete(run.id);
    renderHead();
    table?.setRows(fresh.runs);
    renderMap();
    repeatsRedraw.request();
    curvesRedraw.request();
  }

  /**
   * Epoch rows of the runs that had new epochs (their within-epoch bands included): run by run when a
   * few runs are training, the whole sweep in one request when many are.
   */
  async function loadDirtyMetrics(): Promise<void> {
    const ids = [...dirtyRuns];
    dirtyRuns.clear();
    if (ids.length > MAX_RUN_REQUESTS) {
      const metrics = await getSweepMetrics(sweepId, abort.signal);
      for (const run of metrics.runs) epochs.set(run.runId, run.epochs);
      ids.length = 0;
    }
    for (let i = 0; i < ids.length; i += 4) {
      const batch = await Promise.all(ids.slice(i, i + 4).map((id) => getRunMetrics(id, abort.signal).catch(() => null)));
      for (const metrics of batch) if (metrics) epochs.set(metrics.runId, metrics.epochs);
    }
    curvesRedraw.request();
    repeatsRedraw.request();
  }

  const curvesRedraw = new Throttle(() => timed("sweep:curves", renderCurves), CURVE_REDRAW_MS);
  const repeatsRedraw = new Throttle(renderRepeats, CURVE_REDRAW_MS);
  const detailRefresh = new AsyncThrottle(async () => {
    await loadDetail();
    await loadBest();
  }, DETAIL_REFRESH_MS);
  const metricsRefresh = new AsyncThrottle(loadDirtyMetrics, METRICS_REFRESH_MS);
  const bestRefresh = new AsyncThrottle(loadBest, 300);

  const live = new LiveConnection(`/api/events?sweepId=${encodeURIComponent(sweepId)}`, {
    onEvent: (event) => {
      if (!detail || event.type === "worker" || event.sweepId !== sweepId) return;
      const run = detail.runs.find((candidate) => candidate.id === event.runId);
      if (!run) return;
      if (event.type === "run-progress") {
        progress.set(run.id, event);
        if (run.status !== "running") run.status = "running";
        batcher.schedule(`row:${run.id}`, () => table?.refreshRow(run.id));
      } else if (event.type === "run-epoch") {
        // Draw the new point at once; the full row (with its batch extremes) follows shortly.
        const rows = epochs.get(run.id) ?? [];
        const partial = { ...emptyRow(event.epoch), testAccuracy: event.testAccuracy, dAccMean: event.dAccMean, dLossMean: event.dLossMean, gLossMean: event.gLossMean };
        epochs.set(run.id, [...rows.filter((row) => row.epoch !== event.epoch), partial].sort((a, b) => a.epoch - b.epoch));
        run.epochsDone = Math.max(run.epochsDone, event.epoch);
        dirtyRuns.add(run.id);
        metricsRefresh.request();
        curvesRedraw.request();
        batcher.schedule(`row:${run.id}`, () => table?.refreshRow(run.id));
        detailRefresh.request();
      } else if (event.type === "run-status") {
        run.status = event.status;
        if (event.status !== "running") progress.delete(run.id);
        batcher.schedule(`row:${run.id}`, () => table?.refreshRow(run.id));
        detailRefresh.request();
      }
    },
    onResync: () => {
      void getSweepMetrics(sweepId, abort.signal).then((metrics) => {
        for (const run of metrics.runs) epochs.set(run.runId, run.epochs);
        curvesRedraw.request();
      }, () => undefined);
      detailRefresh.request();
    },
  });

  async function first(): Promise<void> {
    try {
      const fetchStart = performance.now();
      // The ranking is computed by the API from the same rows: ask for it at the same time.
      const bestRequest = getBest(sweepId, settings.best, abort.signal).catch((error: unknown) => error as Error);
      const [fresh, metrics] = await Promise.all([getSweep(sweepId, abort.signal), getSweepMetrics(sweepId, abort.signal)]);
      performance.measure("sweep:fetch", { start: fetchStart, end: performance.now() });
      detail = fresh;
      for (const run of metrics.runs) epochs.set(run.runId, run.epochs);
      keys = varyingKeys(fresh.runs as unknown as Array<{ hyperparameters: Record<string, unknown> }>);
      selected = new Set(fresh.runs.map((run) => run.id));
      document.title = `${fresh.name} · SGAN sweeps`;
      renderHead();
      timed("sweep:table", () => {
        table = buildTable();
        table.setRows(fresh.runs);
        setChildren(tableHolder, fresh.runs.length === 0 ? notice("empty", "This sweep has no runs.") : table.element);
      });
      timed("sweep:curves", renderCurves);
      timed("sweep:map", renderMap);
      timed("sweep:repeats", renderRepeats);
      if (fresh.runs.every((run) => (epochs.get(run.id)?.length ?? 0) === 0)) {
        setText(curvesNote, "No epochs yet: curves appear here as workers finish epochs. Start a worker with `npx tsx apps/worker/main.ts` if none is running (see Workers).");
      }
      const best = await bestRequest;
      if (best instanceof Error) await loadBest();
      else timed("sweep:best", () => renderBest(best));
      markReady(root, "sweep");
    } catch (error) {
      if (isAbort(error)) return;
      const message = error instanceof ApiError && error.status === 404 ? notice("error", `No sweep ${sweepId}. `, link(routes.sweeps(), "Back to the sweeps")) : loadError(error, () => void first());
      setChildren(head, message);
      markReady(root, "sweep");
    }
  }
  void first();

  return {
    destroy() {
      abort.abort();
      live.close();
      batcher.cancel();
      curvesRedraw.cancel();
      repeatsRedraw.cancel();
      detailRefresh.cancel();
      metricsRefresh.cancel();
      bestRefresh.cancel();
      for (const chart of curveCharts) chart.destroy();
      repeats.destroy();
      map.destroy();
    },
  };
}

export function formatFigure(fig: StabilityFigure, value: number | null): string {
  if (fig.unit === "percent") return percent(value, 1);
  if (fig.unit === "points") return points(value, 2);
  return figure(value, 3);
}

function sortable(value: unknown): number | string | null {
  if (typeof value === "number") return value;
  if (value === null || value === undefined) return null;
  return String(value);
}

/** An epoch row with only the epoch: filled in from a live run-epoch event until the full row is fetched. */
export function emptyRow(epoch: number): EpochRow {
  return {
    epoch, batches: 0,
    dLossMean: null, dLossStd: null, dLossMin: null, dLossMax: null,
    gLossMean: null, gLossStd: null, gLossMin: null, gLossMax: null,
    dAccMean: null, dAccStd: null, dAccMin: null, dAccMax: null,
    testAccuracy: null, testClassLoss: null, samplesPerSec: null, wallSeconds: null,
  };
}

/** The ranking's reasons for leaving entries out, as the best-runs headings say them; the others are run statuses. */
const LEFT_OUT_BECAUSE: Record<string, string> = { nonFinite: "without finite metrics", noCompletedRun: "without a completed run" };

/** "; left out: 2 cancelled, 1 failed", or nothing when the ranking left nothing out. */
function leftOutText(ranking: { leftOut: Record<string, number> }): string {
  const reasons = Object.entries(ranking.leftOut).map(([reason, count]) => `${count} ${LEFT_OUT_BECAUSE[reason] ?? reason}`);
  return reasons.length > 0 ? `; left out: ${reasons.join(", ")}` : "";
}
