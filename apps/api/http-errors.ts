import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../../libs/log/index.ts";
import { InvalidInputError } from "../../libs/validation/index.ts";
import { DatabaseUnavailableError } from "../../libs/db/index.ts";
import { IdempotencyKeyReusedError } from "../../libs/service/index.ts";

/** An error with the HTTP status and message a client should see. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

export const unknownRoute: RequestHandler = (req, _res, next) => next(new HttpError(404, `no route ${req.method} ${req.path}`));

/**
 * Every error becomes JSON a person can act on. Bad input is a 4xx naming the field; only a fault of
 * ours is a 500, logged with its stack and answered without it.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof InvalidInputError) {
      res.status(400).json({ error: error.message, issues: error.issues });
    } else if (error instanceof IdempotencyKeyReusedError) {
      res.status(422).json({ error: error.message, sweepId: error.sweepId });
    } else if (error instanceof HttpError) {
      res.status(error.status).json({ error: error.message, ...error.details });
    } else if (error instanceof DatabaseUnavailableError) {
      res.status(503).json({ error: error.message });
    } else if (error instanceof URIError) {
      // The router could not percent-decode a path segment (`/api/sweeps/%zz/cancel`).
      res.status(400).json({ error: `malformed URL: ${error.message}; percent-encode the path (e.g. encodeURIComponent)` });
    } else if (typeof error?.status === "number" && error.status >= 400 && error.status < 500) {
      // body-parser: malformed JSON, body too large, unsupported charset.
      const message = error.type === "entity.too.large" ? `request body is larger than the ${error.limit}-byte limit` : `invalid request body: ${error.message}`;
      res.status(error.status).json({ error: message });
    } else {
      log.error({ err: error, method: req.method, path: req.path }, "request failed");
      res.status(500).json({ error: "internal error; see the API log" });
    }
  };
}
