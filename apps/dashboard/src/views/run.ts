// #/runs/:id: one run's tags and note (editable), config, curves with their min-max bands, sample
// grids and confusion matrices per epoch, worker, timings and log of status changes. Live while it trains.
import { getRun, getRunMetrics, relabelRun, retryRun, sampleUrl } from "../api.ts";
import { CurveChart } from "../charts.ts";
import { seriesStyle } from "../colors.ts";
import { badge, h, link, notice, progressBar, setChildren, setProgress, setText } from "../dom.ts";
import { ago, dateTime, duration, figure, paramValue, percent, secondsBetween, shortId } from "../format.ts";
import { routes } from "../router.ts";
import { AsyncThrottle, Throttle } from "../scheduler.ts";
import { MAX_SMOOTHING } from "../smoothing.ts";
import { LiveConnection } from "../sse.ts";
import { CURVE_METRICS, minMaxBand, seriesOf } from "../stability.ts";
import { ApiError, type RunEpochRow, type RunProgressSnapshot, type RunDetail } from "../../../../libs/results/contract.ts";
import { confusionPanel } from "./confusion.ts";
import { labelsEditor } from "./labels.ts";
import { EpochChoice } from "./epoch-slider.ts";
import { progressText, runFraction } from "./run-labels.ts";
import { runSchedulePanel } from "./run-schedule.ts";
import { isAbort, loadError, markReady, onInput, section, type View } from "./view.ts";

export function runView(root: HTMLElement, runId: string): View {
  const abort = new AbortController();
  let run: RunDetail | null = null;
  let rows: RunEpochRow[] = [];
  let live: LiveConnection | null = null;
  let liveProgress: RunProgressSnapshot | undefined;
  let smoothing = 0;
  const sampleChoice = new EpochChoice();

  const head = h("header", { class: "page-head" }, notice("loading", "Loading run…"));
  const facts = h("div", { class: "facts" });
  const configArea = h("div", { class: "config" });
  const charts = CURVE_METRICS.map((metric) => new CurveChart(`run-${metric.key}`, { title: metric.label, yAxis: metric.axis, percent: metric.percent }));
  const smoothingLabel = h("output", null, "off");
  const smoothingInput = onInput(h("input", { id: "run-smoothing", type: "range", value: "0", attrs: { min: "0", max: String(MAX_SMOOTHING), step: "0.01" }, aria: { label: "EMA smoothing" } }), (value) => {
    smoothing = Number(value);
    smoothingLabel.textContent = smoothing === 0 ? "off" : smoothing.toFixed(2);
    redraw.request();
  });
  const samplesArea = h("div", { class: "samples" });
  const confusion = confusionPanel();
  const eventsArea = h("div", { class: "events" });
  const progressArea = h("div", { class: "run-progress" });
  const labels = labelsEditor("run", (change) => relabelRun(runId, change));
  const schedule = runSchedulePanel();

  setChildren(
    root,
    head,
    labels.element,
    progressArea,
    h("div", { class: "two-col" }, section("Run", "facts-panel", facts), section("Config", "config-panel", configArea)),
    section("Curves", "curves", h("div", { class: "controls" }, h("label", { for: "run-smoothing" }, "Smoothing (EMA) "), smoothingInput, smoothingLabel), h("div", { class: "chart-grid" }, ...charts.map((chart) => chart.element)), h("p", { class: "note" }, "Shaded: the smallest to largest batch value within each epoch. Test accuracy is measured once per epoch.")),
    schedule.element,
    h("div", { class: "two-col" }, section("Samples", "samples-panel", samplesArea), section("Confusion matrix (held-out split)", "confusion-panel", confusion.element)),
    section("Status log", "events-panel", eventsArea),
  );

  function renderCurves(): void {
    if (!run) return;
    const style = seriesStyle(run.index);
    for (const [i, metric] of CURVE_METRICS.entries()) {
      charts[i].setSeries(
        rows.length === 0 ? [] : [{ id: run.id, label: `run #${run.index}`, details: [], style, points: seriesOf(rows, metric.column), band: minMaxBand(rows, metric) }],
        { smoothing, showBands: true },
      );
    }
  }
  const redraw = new Throttle(renderCurves, 500);

  function renderHead(): void {
    if (!run) return;
    setChildren(
      head,
      h("div", { class: "crumbs" }, link(routes.sweeps(), "Sweeps"), " / ", link(routes.sweep(run.sweepId), run.sweep.name), " / "),
      h("h1", null, `Run #${run.index} `, h("span", { class: "muted" }, shortId(run.id)), " ", badge(run.status)),
      run.error ? notice("error", run.status === "diverged" ? `Diverged${run.divergedEpoch !== null ? ` at epoch ${run.divergedEpoch}` : ""}: ` : "Error: ", run.error) : null,
      run.prunedReason ? notice("empty", `Pruned after epoch ${run.epochsDone}: `, run.prunedReason) : null,
      run.status === "failed" || run.status === "cancelled" ? retryButton(run) : null,
    );
    renderProgress();
  }

  /** A failed or cancelled run goes back to the queue and resumes from its checkpoint (docs/sweeps.md, A sweep's lifecycle). */
  function retryButton(current: RunDetail): HTMLButtonElement {
    const button = h("button", { type: "button", id: "run-retry" }, "Retry run");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await retryRun(current.id);
      } catch (error) {
        alert(`Retry failed: ${(error as Error).message}`);
      }
      refresh.request();
    });
    return button;
  }

  function renderProgress(): void {
    if (!run) return;
    const epochs = run.params.epochs;
    const text = progressText(run, epochs, liveProgress);
    const eta = liveProgress?.etaSeconds;
    const existing = progressArea.querySelector<HTMLElement>(".progress");
    if (existing) {
      setProgress(existing, runFraction(run, epochs, liveProgress), text);
      setText(progressArea.querySelector(".progress-text")!, `${text}${liveProgress ? ` · ${figure(liveProgress.samplesPerSec, 3)} samples/s · ETA ${duration(eta)}` : ""}`);
      return;
    }
    setChildren(progressArea, progressBar(runFraction(run, epochs, liveProgress), text), h("span", { class: "progress-text" }, text));
  }

  function renderFacts(): void {
    if (!run) return;
    const wall = rows.reduce((sum, row) => sum + (row.wallSeconds ?? 0), 0);
    const speeds = rows.map((row) => row.samplesPerSec).filter((value): value is number => typeof value === "number" && Number.isFinite(value));
    const meanSpeed = speeds.length ? speeds.reduce((a, b) => a + b, 0) / speeds.length : null;
    const summary = run.summary;
    const fact = (label: string, value: Node | string, title?: string) => [h("dt", null, label), h("dd", { title }, value)];
    setChildren(
      facts,
      h("dl", null,
        ...fact("status", badge(run.status)),
        ...fact("configuration", `${run.configKey}, repeat ${run.repeat}, seed ${run.seed}`),
        ...fact("worker", run.workerId ?? "–"),
        ...fact("backend / device", `${run.backend ?? "–"} / ${run.device ?? "–"}`),
        ...fact("attempts", String(run.attempts)),
        ...fact("epochs", `${run.epochsDone} of ${run.params.epochs}`),
        ...fact("final / best test acc", `${percent(summary?.finalTestAccuracy)} / ${percent(summary?.bestTestAccuracy)}${summary?.bestEpoch ? ` (epoch ${summary.bestEpoch})` : ""}`),
        ...fact("created", h("time", { attrs: { datetime: run.createdAt } }, ago(run.createdAt)), dateTime(run.createdAt)),
        ...fact("started", h("time", { attrs: { datetime: run.startedAt ?? "" } }, ago(run.startedAt)), dateTime(run.startedAt)),
        ...fact("finished", h("time", { attrs: { datetime: run.finishedAt ?? "" } }, ago(run.finishedAt)), dateTime(run.finishedAt)),
        ...fact("elapsed", duration(secondsBetween(run.startedAt, run.finishedAt)), "from start to finish (to now while running), retries included"),
        ...fact("training time", duration(wall), "sum of the epochs' wall-clock seconds"),
        ...fact("throughput", meanSpeed === null ? "–" : `${figure(meanSpeed, 3)} samples/s`, "mean over epochs"),
      ),
    );
    setChildren(
      configArea,
      h("table", { class: "data-table kv" }, h("tbody", null, ...Object.entries(run.params).map(([key, value]) => h("tr", null, h("th", { attrs: { scope: "row" } }, key), h("td", null, paramValue(key, value)))))),
    );
  }

  function renderSamples(): void {
    if (!run) return;
    const epochs = run.sampleEpochs;
    if (epochs.length === 0) {
      setChildren(samplesArea, notice("empty", "No sample grids yet: one is saved after each epoch."));
      return;
    }
    const sampleEpoch = sampleChoice.current(epochs);
    const image = h("img", { class: "sample", attrs: { alt: `generated samples after epoch ${sampleEpoch}`, src: sampleUrl(run.id, sampleEpoch), width: "256" } });
    const caption = h("figcaption", null, `after epoch ${sampleEpoch} of ${run.params.epochs}`);
    const currentRun = run;
    const slider = sampleChoice.slider("sample-epoch", "epoch of the sample grid", epochs, (epoch) => {
      image.src = sampleUrl(currentRun.id, epoch);
      image.alt = `generated samples after epoch ${epoch}`;
      caption.textContent = `after epoch ${epoch} of ${currentRun.params.epochs}`;
    });
    setChildren(samplesArea, h("figure", null, image, caption), h("label", { class: "slider" }, "Epoch ", slider));
  }

  function renderEvents(): void {
    if (!run) return;
    setChildren(
      eventsArea,
      h("table", { class: "data-table", id: "run-events" },
        h("thead", null, h("tr", null, ...["time", "status", "worker", "message"].map((label) => h("th", { attrs: { scope: "col" } }, label)))),
        h("tbody", null, ...run.events.map((event) => h("tr", null, h("td", { title: dateTime(event.at) }, new Date(event.at).toLocaleTimeString()), h("td", null, badge(event.status)), h("td", null, event.workerId ?? "–"), h("td", null, event.message ?? "")))),
      ),
    );
  }

  async function load(): Promise<void> {
    const [fresh, metrics] = await Promise.all([getRun(runId, abort.signal), getRunMetrics(runId, abort.signal)]);
    run = fresh;
    rows = metrics.epochs;
    if (run.status !== "running") liveProgress = undefined;
    document.title = `Run #${run.index} · ${run.sweep.name} · SGAN sweeps`;
    renderHead();
    labels.show(run);
    renderFacts();
    renderSamples();
    confusion.update(rows);
    renderEvents();
    renderCurves();
    await schedule.update(run, abort.signal);
  }
  const refresh = new AsyncThrottle(load, 2000);

  async function first(): Promise<void> {
    try {
      await load();
      const current = run!;
      live = new LiveConnection(`/api/events?sweepId=${encodeURIComponent(current.sweepId)}`, {
        onEvent: (event) => {
          if (event.type === "worker" || event.runId !== runId) return;
          if (event.type === "run-progress") {
            liveProgress = event;
            if (current.status !== "running") current.status = "running";
            requestAnimationFrame(renderProgress);
          } else {
            refresh.request();
          }
        },
        onResync: () => refresh.request(),
      });
      markReady(root, "run");
    } catch (error) {
      if (isAbort(error)) return;
      setChildren(head, error instanceof ApiError && error.status === 404 ? notice("error", `No run ${runId}. `, link(routes.sweeps(), "Back to the sweeps")) : loadError(error, () => void first()));
      markReady(root, "run");
    }
  }
  void first();

  return {
    destroy() {
      abort.abort();
      live?.close();
      refresh.cancel();
      redraw.cancel();
      for (const chart of charts) chart.destroy();
    },
  };
}
