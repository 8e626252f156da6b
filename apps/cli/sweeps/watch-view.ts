import { printable } from "../../../libs/terminal-text/index.ts";
import { progressBar } from "../progress-bar.ts";
import {
  isFinalRunStatus,
  parameterFormat,
  type RunEpochEvent,
  type RunProgressEvent,
  type RunRow,
  type RunStatus,
  type RunStatusEvent,
  type SweepDetail,
} from "../../../libs/results/index.ts";
import { compact, duration, percent, plural } from "./format.ts";
import { RUN_STATUS_ORDER, runTally } from "./run-tally.ts";

/** What the view reads of GET /api/sweeps/:id. */
export type WatchedSweep = Pick<SweepDetail, "name" | "status" | "counts"> & {
  runs: Array<
    Pick<RunRow, "id" | "index" | "status" | "finalTestAccuracy"> & {
      params: Pick<RunRow["params"], "epochs">;
      hyperparameters: Partial<RunRow["hyperparameters"]>;
    }
  >;
};

/** What the view reads of the live events. */
type Progress = Pick<RunProgressEvent, "runId" | "epoch" | "epochs" | "batch" | "batches" | "samplesPerSec" | "etaSeconds">;
type EpochDone = Pick<RunEpochEvent, "runId" | "epoch" | "testAccuracy" | "dAccMean" | "gLossMean" | "dLossMean">;
type StatusChange = Pick<RunStatusEvent, "runId" | "status" | "workerId" | "reason">;

interface RunView {
  index: number;
  /** "#3 lr 2.0e-4 variant reference": the run's index and the hyperparameters that vary in the sweep. */
  label: string;
  status: RunStatus;
  epochs: number;
  testAccuracy: number | null;
  progress: Progress | null;
}

/** The parts of a stdout stream the view uses; a TTY gets live bars, anything else one line per event. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/**
 * What `sweeps watch` shows. On a terminal: finished epochs and status changes scroll by above a block,
 * redrawn in place, of the sweep's summary and one progress bar per running run. Elsewhere (logs, pipes):
 * one plain line per event.
 */
export class WatchView {
  private readonly runs = new Map<string, RunView>();
  private summary = "";
  /** Lines of the live block now on screen, to move the cursor back over. */
  private drawn = 0;

  constructor(private readonly out: Output) {}

  /** The sweep as the API has it now; the API is right where an event was missed. */
  sync(sweep: WatchedSweep): void {
    const format = parameterFormat(sweep.runs.map((run) => run.hyperparameters));
    for (const run of sweep.runs) {
      const known = this.runs.get(run.id);
      this.runs.set(run.id, {
        index: run.index,
        label: [`#${run.index}`, format.label(run.hyperparameters)].filter(Boolean).join(" "),
        status: run.status,
        epochs: run.params.epochs,
        testAccuracy: run.finalTestAccuracy ?? known?.testAccuracy ?? null,
        progress: run.status === "running" ? (known?.progress ?? null) : null,
      });
    }
    const summary = summaryLine(sweep);
    const changed = summary !== this.summary;
    this.summary = summary;
    if (this.out.isTTY) this.redraw();
    else if (changed) this.line(summary);
  }

  progress(event: Progress): void {
    const run = this.runs.get(event.runId);
    if (!run) return;
    run.status = "running";
    run.progress = event;
    if (this.out.isTTY) this.redraw();
    else this.line(progressLine(run));
  }

  epoch(event: EpochDone): void {
    const run = this.runs.get(event.runId);
    if (!run) return;
    run.testAccuracy = event.testAccuracy;
    this.log(
      `${run.label}  epoch ${event.epoch}/${run.epochs}: test acc ${percent(event.testAccuracy)}  d_acc ${percent(event.dAccMean)}  ` +
        `G loss ${compact(event.gLossMean)}  D loss ${compact(event.dLossMean)}`,
    );
  }

  status(event: StatusChange): void {
    const run = this.runs.get(event.runId);
    if (!run) return;
    run.status = event.status;
    if (event.status !== "running") run.progress = null;
    const detail = event.status === "running" ? `on ${event.workerId ?? "a worker"}` : `test acc ${percent(run.testAccuracy)}`;
    this.log(`${run.label}  ${event.status}, ${detail}${event.reason ? ` - ${event.reason}` : ""}`);
  }

  /** Whether every run is final as far as the events tell; the API has the last word. */
  allFinal(): boolean {
    return [...this.runs.values()].every((run) => isFinalRunStatus(run.status));
  }

  /** Something about the watch itself (the stream dropped, reconnected). */
  note(text: string): void {
    this.log(text);
  }

  /** The last word: on a terminal the live block stays on screen above it. */
  end(text: string): void {
    this.drawn = 0;
    this.line(text);
  }

  /** A line that stays: on a terminal it goes above the live block, which is drawn again below it. */
  private log(text: string): void {
    if (this.out.isTTY) this.clearBlock();
    this.line(text);
    if (this.out.isTTY) this.redraw();
  }

  /** Each line is one line of text, mostly what the API said (names, statuses, workers): escaped whole. */
  private line(text: string): void {
    this.out.write(`${printable(text)}\n`);
  }

  private clearBlock(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    const running = [...this.runs.values()].filter((run) => run.status === "running").sort((a, b) => a.index - b.index);
    // The cursor can only go back to the block's top if the block fits the screen: no line may wrap,
    // and there may be no more lines than rows.
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const room = Math.max(2, (this.out.rows ?? 24) - 2);
    const bars = running.length <= room ? running : running.slice(0, room - 1);
    const more = running.length - bars.length;
    const lines = [this.summary, ...bars.map((run) => progressLine(run, true)), ...(more > 0 ? [`... and ${more} more running`] : [])];
    this.clearBlock();
    this.out.write(`${lines.map((text) => printable(text).slice(0, width)).join("\n")}\n`);
    this.drawn = lines.length;
  }
}

function progressLine(run: RunView, bar = false): string {
  const p = run.progress;
  if (!p) return `${run.label}  starting`;
  return [
    run.label,
    `epoch ${p.epoch}/${p.epochs}${bar ? ` ${progressBar(p.batch, p.batches, 20)}` : ""} batch ${p.batch}/${p.batches}`,
    `${p.samplesPerSec.toFixed(1)} samples/s`,
    `ETA ${duration(p.etaSeconds)}`,
    `test acc ${percent(run.testAccuracy)}`,
  ].join("  ");
}

export function summaryLine(sweep: Pick<WatchedSweep, "name" | "status" | "counts">): string {
  const { final, total } = runTally(sweep.counts);
  const counts = RUN_STATUS_ORDER.filter((status) => sweep.counts[status] > 0).map((status) => `${sweep.counts[status]} ${status}`);
  return `sweep ${sweep.name} (${sweep.status}): ${final}/${plural(total, "run")} final${counts.length > 0 ? ` - ${counts.join(", ")}` : ""}`;
}
