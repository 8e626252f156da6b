import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import type { Logger } from "../../libs/log/index.ts";
import { InvalidInputError } from "../../libs/validation/index.ts";
import { DatabaseUnavailableError } from "../../libs/db/index.ts";
import type { ApiErrorBody } from "../../libs/results/index.ts";
import { IdempotencyKeyReusedError, StateConflictError } from "../../libs/service/index.ts";

/** An error with the HTTP status and message a client should see. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

const answer = (res: Response, status: number, body: ApiErrorBody) => res.status(status).json(body);

export const unknownRoute: RequestHandler = (req, _res, next) => next(new HttpError(404, `no route ${req.method} ${req.path}`));

/**
 * Every error becomes JSON a person can act on. Bad input is a 4xx naming the field; only a fault of
 * ours is a 500, logged with its stack and answered without it.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof InvalidInputError) {
      answer(res, 400, { error: error.message, issues: error.issues });
    } else if (error instanceof IdempotencyKeyReusedError) {
      answer(res, 422, { error: error.message, sweepId: error.sweepId });
    } else if (error instanceof StateConflictError) {
      answer(res, 409, { error: error.message });
    } else if (error instanceof HttpError) {
      answer(res, error.status, { error: error.message });
    } else if (error instanceof DatabaseUnavailableError) {
      answer(res, 503, { error: error.message });
    } else if (error instanceof URIError) {
      // The router could not percent-decode a path segment (`/api/sweeps/%zz/cancel`).
      answer(res, 400, { error: `malformed URL: ${error.message}; percent-encode the path (e.g. encodeURIComponent)` });
    } else if (typeof error?.status === "number" && error.status >= 400 && error.status < 500) {
      // body-parser: malformed JSON, body too large, unsupported charset.
      const message = error.type === "entity.too.large" ? `request body is larger than the ${error.limit}-byte limit` : `invalid request body: ${error.message}`;
      answer(res, error.status, { error: message });
    } else {
      log.error({ err: error, method: req.method, path: req.path }, "request failed");
      answer(res, 500, { error: "internal error; see the API log" });
    }
  };
}
