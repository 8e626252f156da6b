import { setTimeout as sleep } from "node:timers/promises";
import type { SweepDetail } from "../../../../libs/results/index.ts";
import { runTally } from "../run-tally.ts";
import { ApiUnreachableError, type SweepsApi } from "../client.ts";
import type { Command } from "../command.ts";
import { readSse, type SseEvent } from "../sse.ts";
import { WatchView, type Output } from "../watch-view.ts";

const RECONNECT_MS = 2_000;
/** How long the API may stay unreachable while watching before the watch gives up. */
const GIVE_UP_MS = 60_000;
/**
 * A status change is read back from the API (GET /api/sweeps/:id, every run of the sweep) at most this
 * often, so that a burst of them (cancelling a thousand queued runs) is not a thousand reads; the read
 * that can end the watch, when every run looks final, is never held back.
 */
const MIN_SYNC_GAP_MS = 1_000;
/**
 * Live events are fire and forget (Redis pub/sub), so a lost status event must not leave the watch
 * waiting forever: the sweep is read again on an event this long after the last read. Workers'
 * heartbeats reach every stream, so events keep coming while anything trains.
 */
const RESYNC_MS = 15_000;

export const watch: Command = {
  args: ["<id>"],
  options: [],
  synopsis: "",
  help: `Follow a sweep live: a progress bar per running run and the sweep's counts (one line per event
when stdout is not a terminal). Exits 0 once every run is final.`,
  async run({ api, args: [id], out }) {
    await watchSweep(api, id, out);
  },
};

/** Resolves once every run of the sweep is final; reconnects when the event stream drops. */
export async function watchSweep(api: SweepsApi, sweepId: string, out: Output): Promise<void> {
  const view = new WatchView(out);
  const stop = new AbortController();
  let lastSync = 0;
  let statusChanged = false;
  let lostSince: number | null = null;

  const sync = async (): Promise<boolean> => {
    const sweep = await api.getSweep(sweepId);
    lastSync = Date.now();
    view.sync(sweep);
    return settled(sweep);
  };

  const handle = (event: SseEvent): Promise<boolean> | boolean => {
    const data = parse(event.data);
    if (data && event.event === "run-progress") view.progress(data);
    if (data && event.event === "run-epoch") view.epoch(data);
    if (data && event.event === "run-status") {
      view.status(data);
      statusChanged = true;
    }
    const since = Date.now() - lastSync;
    const due = statusChanged && (view.allFinal() || since > MIN_SYNC_GAP_MS);
    if (!due && since <= RESYNC_MS) return false;
    statusChanged = false;
    return sync();
  };

  /** Resolves once every run is final; throws ApiUnreachableError when the stream drops. */
  const follow = async (): Promise<void> => {
    const stream = await api.openEvents(sweepId, stop.signal);
    if (lostSince !== null) view.note("reconnected");
    lostSince = null;
    // Read after connecting, so that no event falls between the sweep as read and the stream.
    if (await sync()) return;
    for await (const event of readSse(stream)) if (await handle(event)) return;
    throw new ApiUnreachableError(api.baseUrl, "the API closed the event stream");
  };

  try {
    for (;;) {
      try {
        await follow();
        view.end(`every run is final; rank them: sweeps best ${sweepId}`);
        return;
      } catch (error) {
        // Unreachable at the start: say so at once. Later: the API may be restarting; wait for it a while.
        if (!(error instanceof ApiUnreachableError) || lastSync === 0) throw error;
        if (lostSince !== null && Date.now() - lostSince > GIVE_UP_MS) throw error;
        if (lostSince === null) view.note(`lost the API (${error.reason}); reconnecting`);
        lostSince ??= Date.now();
        await sleep(RECONNECT_MS);
      }
    }
  } finally {
    stop.abort();
  }
}

function settled(sweep: SweepDetail): boolean {
  const { final, total } = runTally(sweep.counts);
  return final === total;
}

/** A frame that is not JSON is skipped: the watch goes on with the next. */
function parse(data: string) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}
