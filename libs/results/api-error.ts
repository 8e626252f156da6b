// How the API answers what it refuses, and the error its clients raise from that answer.

/** One thing to fix: the field path (`parameters.lr.loguniform`) and what is wrong with it. */
export interface ApiIssue {
  path: string;
  message: string;
}

/**
 * The JSON body of every 4xx and 5xx answer: a message a person can act on; `issues` for bad input
 * (400), `sweepId` for an Idempotency-Key used before with another config (422).
 */
export interface ApiErrorBody {
  error: string;
  issues?: ApiIssue[];
  sweepId?: string;
}

/** The API answered with an error status; `message` and `issues` are what it said. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The body of an error answer when it is the API's, else null (a proxy's page, no JSON at all). */
export function apiErrorBody(json: unknown): ApiErrorBody | null {
  const body = json as { error?: unknown; issues?: unknown } | null | undefined;
  if (typeof body?.error !== "string") return null;
  return { error: body.error, issues: Array.isArray(body.issues) ? (body.issues as ApiIssue[]) : [] };
}
