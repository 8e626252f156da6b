// API tokens. Writes (submit, cancel, and BullMQ's admin view) need a write token once any is
// configured; reads need a token too when read protection is on. Tokens are compared in constant
// time over their SHA-256 digests (so neither content nor length leaks), and never logged.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { HttpError } from "./http-errors.ts";

/** Environment variables: comma-separated write tokens, read-only tokens, and the read-protection switch. */
export const AUTH_ENV = {
  writeTokens: "SGAN_API_TOKENS",
  readTokens: "SGAN_READ_TOKENS",
  readRequired: "SGAN_READ_TOKENS_REQUIRED",
} as const;

export interface AuthConfig {
  /** Tokens that may write (and read). Empty: writes are open. */
  writeTokens: readonly string[];
  /** Tokens that may only read; they matter only when `readRequired`. */
  readTokens?: readonly string[];
  /** Reads (GET /api/*, the event stream) need a read or write token too. */
  readRequired?: boolean;
}

export type Access = "read" | "write";

/** What a route needs: nothing, a read token (when reads are protected), or a write token (when writes are). */
export type RouteAccess = "open" | Access;

export interface RouteGuardOptions {
  /** `?token=` stands in for the Authorization header: for what browsers load without fetch (event stream, images). */
  queryToken?: boolean;
  /** HTTP Basic's password is taken as the token too: for pages a browser opens (BullMQ's admin view). */
  basic?: boolean;
}

/** The configuration from SGAN_API_TOKENS, SGAN_READ_TOKENS and SGAN_READ_TOKENS_REQUIRED (1/true/yes). */
export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const list = (text: string | undefined) => (text ?? "").split(",").map((token) => token.trim()).filter((token) => token !== "");
  const flag = (env[AUTH_ENV.readRequired] ?? "").trim().toLowerCase();
  return {
    writeTokens: list(env[AUTH_ENV.writeTokens]),
    readTokens: list(env[AUTH_ENV.readTokens]),
    readRequired: ["1", "true", "yes", "on"].includes(flag),
  };
}

const digest = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

/** What a refused client is told; it says how to send a token. */
export const HOW_TO_SEND = "send it as 'Authorization: Bearer <token>' (sweeps CLI: --token or SWEEPS_API_TOKEN; the event stream also takes ?token=)";

export interface TokenGuard {
  /** Whether writes need a token. */
  readonly writesProtected: boolean;
  /** Whether reads need a token. */
  readonly readsProtected: boolean;
  /** Middleware for one route that needs `access`. */
  route(access: RouteAccess, options?: RouteGuardOptions): RequestHandler;
  /** Middleware for /api paths no route took: GET/HEAD/OPTIONS are reads, anything else a write, so that an unknown path is refused before it is told unknown. */
  api: RequestHandler;
}

/** The guards for `config`. With no tokens configured every request passes, as before tokens existed. */
export function tokenGuard(config: AuthConfig): TokenGuard {
  const writeDigests = config.writeTokens.map(digest);
  const readDigests = [...writeDigests, ...(config.readTokens ?? []).map(digest)];
  if (config.readRequired && readDigests.length === 0) {
    throw new Error(`${AUTH_ENV.readRequired} is set but no tokens are: set ${AUTH_ENV.writeTokens} (and optionally ${AUTH_ENV.readTokens})`);
  }
  const writesProtected = writeDigests.length > 0;
  const readsProtected = config.readRequired === true;

  /** Compares against every token (no early exit), each comparison over 32 bytes. */
  const matches = (token: string, digests: readonly Buffer[]): boolean => {
    const presented = digest(token);
    let found = false;
    for (const known of digests) found = timingSafeEqual(presented, known) || found;
    return found;
  };

  const check = (req: Request, access: Access, options: { query?: boolean; basic?: boolean }): void => {
    const token = presentedToken(req, options);
    const what = access === "write" ? "writing" : "reading";
    if (token === null) throw new HttpError(401, `${what} needs an API token: ${HOW_TO_SEND}`);
    if (matches(token, access === "write" ? writeDigests : readDigests)) return;
    if (access === "write" && matches(token, readDigests)) throw new HttpError(403, "this token may only read; writing needs one of the write tokens (SGAN_API_TOKENS)");
    throw new HttpError(401, `the API token is not valid: ${HOW_TO_SEND}`);
  };

  const guard =
    (decide: (req: Request) => Access | null, options: RouteGuardOptions): RequestHandler =>
    (req, res, next) => {
      const needed = decide(req);
      if (needed === null) return next();
      const basic = options.basic === true;
      try {
        check(req, needed, { query: options.queryToken, basic });
        next();
      } catch (error) {
        if (error instanceof HttpError && error.status === 401) {
          res.setHeader("WWW-Authenticate", basic ? 'Basic realm="sgan-sweeps", charset="UTF-8"' : 'Bearer realm="sgan-sweeps"');
        }
        next(error);
      }
    };

  const needs = (access: RouteAccess): Access | null => {
    if (access === "read") return readsProtected ? "read" : null;
    if (access === "write") return writesProtected ? "write" : null;
    return null;
  };
  const isRead = (req: Request) => req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
  return {
    writesProtected,
    readsProtected,
    route: (access, options = {}) => guard(() => needs(access), options),
    api: guard((req) => needs(isRead(req) ? "read" : "write"), {}),
  };
}

/** The token of `Authorization: Bearer`, else (where allowed) of Basic's password or `?token=`; null when none. */
function presentedToken(req: Request, options: { query?: boolean; basic?: boolean }): string | null {
  const header = req.headers.authorization;
  if (typeof header === "string") {
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (bearer) return bearer[1];
    const basic = options.basic ? /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header) : null;
    if (basic) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      return colon === -1 ? decoded : decoded.slice(colon + 1);
    }
    // A header of another scheme, or malformed, is a wrong token rather than a missing one ("" matches none).
    return "";
  }
  if (options.query) {
    const token = (req.query as Record<string, unknown>).token;
    if (typeof token === "string" && token !== "") return token;
  }
  return null;
}
