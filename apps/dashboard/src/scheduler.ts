// Live updates arrive in bursts (progress from every worker, epochs from every run); these coalesce
// them, so the page does one DOM pass per frame and redraws charts at a bounded rate.

/** Coalesces work by key into one requestAnimationFrame: the last function per key wins. */
export class FrameBatcher {
  private readonly pending = new Map<string, () => void>();
  private frame: number | null = null;

  schedule(key: string, work: () => void): void {
    this.pending.set(key, work);
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush(): void {
    this.frame = null;
    const work = [...this.pending.values()];
    this.pending.clear();
    for (const run of work) run();
  }

  cancel(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.pending.clear();
  }
}

/**
 * Runs `work` at most once per `ms`: the first call at once (on the next frame), calls within the
 * interval collapse into one trailing run at its end. Nothing is lost and nothing runs in a storm.
 */
export class Throttle {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private frame: number | null = null;

  constructor(
    private readonly work: () => void,
    private readonly ms: number,
  ) {}

  request(): void {
    if (this.timer !== null || this.frame !== null) return;
    const wait = this.last + this.ms - performance.now();
    if (wait <= 0) this.frame = requestAnimationFrame(() => this.fire());
    else this.timer = setTimeout(() => {
      this.timer = null;
      this.frame = requestAnimationFrame(() => this.fire());
    }, wait);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.timer = null;
    this.frame = null;
  }

  private fire(): void {
    this.frame = null;
    this.last = performance.now();
    this.work();
  }
}

/** Like Throttle, for async work: never two at once; a request during a run schedules one more. */
export class AsyncThrottle {
  private running = false;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = -Infinity;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly ms: number,
  ) {}

  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== null) return;
    const wait = Math.max(0, this.last + this.ms - performance.now());
    this.timer = setTimeout(() => void this.fire(), wait);
  }

  cancel(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async fire(): Promise<void> {
    this.timer = null;
    this.running = true;
    this.last = performance.now();
    try {
      await this.work();
    } catch {
      // The view shows its own errors; a failed refresh is retried on the next request.
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.request();
      }
    }
  }
}
