// Bounds on what one client can hold: a request that trickles its body in byte by byte is cut off
// (408) once its time is up, and connections beyond a cap are closed unanswered, so a few slow or
// greedy clients cannot exhaust the API's sockets or memory.
import { createServer, type RequestListener, type Server } from "node:http";

export interface ConnectionLimits {
  /** Longest time from a request's first byte to its last (headers and body); SSE streams are unaffected once their request is in. */
  requestTimeoutMs: number;
  /** Most connections open at once, server-sent event streams included. */
  maxConnections: number;
}

export const CONNECTION_LIMITS_ENV = { requestTimeoutMs: "SGAN_REQUEST_TIMEOUT_MS", maxConnections: "SGAN_MAX_CONNECTIONS" } as const;
const DEFAULTS: ConnectionLimits = { requestTimeoutMs: 30_000, maxConnections: 1_000 };

/** The limits from SGAN_REQUEST_TIMEOUT_MS (default 30 s) and SGAN_MAX_CONNECTIONS (default 1000). */
export function connectionLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionLimits {
  const read = (key: keyof ConnectionLimits, min: number): number => {
    const name = CONNECTION_LIMITS_ENV[key];
    const text = env[name];
    if (text === undefined || text.trim() === "") return DEFAULTS[key];
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
    return value;
  };
  return { requestTimeoutMs: read("requestTimeoutMs", 1_000), maxConnections: read("maxConnections", 1) };
}

/** An HTTP server for `handler` that enforces the limits. */
export function limitedServer(handler: RequestListener, limits: ConnectionLimits): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      // Node checks the timeouts on this period (default 30 s): a short timeout needs a short check.
      connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs / 2),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
