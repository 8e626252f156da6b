import { createHash } from "node:crypto";
import type { RequestHandler, Response } from "express";

interface Entry {
  body: Buffer;
  etag: string;
  expires: number;
}

export interface ResponseCacheOptions {
  /** How long a response is served again; 0 turns the cache off. */
  ttlMs: number;
  /** Oldest entries go first past this many. */
  maxEntries: number;
}

/** SGAN_READ_CACHE_MS overrides the default of one second. */
export function responseCacheOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ResponseCacheOptions {
  const ttlMs = env.SGAN_READ_CACHE_MS === undefined ? 1_000 : Number(env.SGAN_READ_CACHE_MS);
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new Error(`SGAN_READ_CACHE_MS must be a number of milliseconds >= 0 (0 turns the read cache off), got ${JSON.stringify(env.SGAN_READ_CACHE_MS)}`);
  }
  return { ttlMs, maxEntries: 1_000 };
}

/**
 * GET responses (status 200, JSON) kept by URL for a moment. The read endpoints query PostgreSQL and
 * summarise or rank every run on each request; with a hundred dashboards open that work would be
 * repeated for identical answers, on the cores the workers train on. A response is at most `ttlMs`
 * old, and the cache empties whenever this API writes or hears from the event bus that a run
 * finished an epoch or changed status (live progress itself comes over server-sent events).
 * Mounted after the token check: only authorised requests ever see a cached response.
 */
function send(res: Response, entry: Entry): Response {
  res.setHeader("ETag", entry.etag);
  return res.type("json").send(entry.body);
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, { generation: number; waiters: Array<(entry: Entry | null) => void> }>();
  /** Bumped by clear(): a response computed before a clear is neither stored nor shared after it. */
  private generation = 0;

  constructor(private readonly options: ResponseCacheOptions) {}

  middleware(): RequestHandler {
    const handle: RequestHandler = (req, res, next) => {
      if (req.method !== "GET" || this.options.ttlMs === 0) return next();
      const key = req.originalUrl;
      const hit = this.entries.get(key);
      if (hit !== undefined && hit.expires > Date.now()) {
        send(res, hit);
        return;
      }
      // Identical requests that arrive while one is computed wait for its answer (when a hundred
      // dashboards refresh together, one of them queries the database).
      const inFlight = this.inFlight.get(key);
      if (inFlight !== undefined && inFlight.generation === this.generation) {
        inFlight.waiters.push((entry) => (entry === null ? handle(req, res, next) : void send(res, entry)));
        return;
      }
      const flight = { generation: this.generation, waiters: [] as Array<(entry: Entry | null) => void> };
      this.inFlight.set(key, flight);
      const settle = (entry: Entry | null) => {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
        for (const waiter of flight.waiters.splice(0)) waiter(entry);
      };
      // An error response or an aborted request: the waiters try again (one computes, the rest wait).
      res.once("close", () => settle(null));
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode !== 200) return json(body);
        const entry = this.entryFor(body);
        if (flight.generation === this.generation) this.store(key, entry);
        settle(entry);
        return send(res, entry);
      };
      next();
    };
    return handle;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  private entryFor(body: unknown): Entry {
    const text = Buffer.from(JSON.stringify(body));
    const etag = `W/"${createHash("sha1").update(text).digest("base64url")}"`;
    return { body: text, etag, expires: Date.now() + this.options.ttlMs };
  }

  private store(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }
}
