// The API's server-sent events, with reconnection. The browser's EventSource retries a dropped
// connection by itself (the API asks for 3 s); when it gives up (the API answered with an error, or
// was down when the page loaded) we open a new one with backoff. After any gap the view is told to
// resynchronise, since events sent meanwhile are gone (Redis pub/sub keeps nothing).
import { urlWithToken } from "./auth.ts";
import { LIVE_EVENT_TYPES, type LiveEvent } from "../../../libs/results/contract.ts";

export type LiveState = "connecting" | "open" | "reconnecting";

export interface LiveHandlers {
  onEvent(event: LiveEvent): void;
  /** Called when the stream is back after a gap: refetch what may have been missed. */
  onResync?(): void;
}

const MAX_BACKOFF_MS = 30_000;

/** Listeners of the connection state (the header's indicator). */
const stateListeners = new Set<(state: LiveState) => void>();

export function onLiveState(listener: (state: LiveState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

export class LiveConnection {
  private source: EventSource | null = null;
  private hadGap = false;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveHandlers,
  ) {
    this.open();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  private open(): void {
    if (this.closed) return;
    this.setState(this.attempts === 0 ? "connecting" : "reconnecting");
    // The token is read at each (re)connection: one entered since the last attempt is used.
    const source = new EventSource(urlWithToken(this.url));
    this.source = source;
    source.onopen = () => {
      this.attempts = 0;
      this.setState("open");
      if (this.hadGap) {
        this.hadGap = false;
        this.handlers.onResync?.();
      }
    };
    source.onerror = () => {
      if (this.closed) return;
      this.hadGap = true;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up: try again ourselves, waiting longer each time.
        source.close();
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempts++);
        this.setState("reconnecting");
        this.timer = setTimeout(() => {
          this.timer = null;
          this.open();
        }, delay);
      } else {
        this.setState("reconnecting");
      }
    };
    for (const type of LIVE_EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        let event: LiveEvent;
        try {
          event = { ...JSON.parse((message as MessageEvent<string>).data), type } as LiveEvent;
        } catch {
          return;
        }
        this.handlers.onEvent(event);
      });
    }
  }

  private setState(state: LiveState): void {
    for (const listener of stateListeners) listener(state);
  }
}
