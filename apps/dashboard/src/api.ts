// The API client: one function per endpoint, errors as ApiError with the API's message and issues.
import {
  ApiError,
  apiErrorBody,
  type BestOptions,
  type BestResponse,
  type CancelResponse,
  type DeleteResponse,
  type ExtendResponse,
  type ImportanceResponse,
  type LineageResponse,
  type PauseResponse,
  type ResumeResponse,
  type RetryResponse,
  type RunDetail,
  type RunMetrics,
  type RunRecord,
  type SubmitResponse,
  type SweepDetail,
  type SweepList,
  type SweepMetrics,
  type SweepRecord,
  type WorkerInfo,
  type WorkerList,
} from "../../../libs/results/contract.ts";
import type { LabelsChange } from "../../../libs/results/labels.ts";
import { apiToken, askForToken, urlWithToken, withToken } from "./auth.ts";

/** The request's signal aborted it (its view went away, or asked again): there is nothing to show. */
class RequestAbortedError extends Error {
  constructor(path: string) {
    super(`request to ${path} aborted`);
    this.name = "RequestAbortedError";
  }
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  try {
    return await exchange<T>(path, init);
  } catch (error) {
    if (init.signal?.aborted) throw new RequestAbortedError(path);
    throw error;
  }
}

async function exchange<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: withToken({ Accept: "application/json", ...init.headers }) });
  } catch (error) {
    throw new ApiError(0, `cannot reach the API (${(error as Error).message}); is it running?`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    // Not JSON: a proxy's error page, say; its status is what matters.
  }
  if (!response.ok) {
    const error = apiErrorBody(body);
    const message = error?.error ?? `${response.status} ${response.statusText}`;
    if (response.status === 401) {
      // The API wants a token (or another one): ask, then send the request again.
      await askForToken(message, apiToken() !== null);
      return exchange(path, init);
    }
    throw new ApiError(response.status, message, error?.issues);
  }
  return body as T;
}

const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  body: JSON.stringify(body),
  headers: { "Content-Type": "application/json" },
});

/** With `tags`, only the sweeps that have every one of them. */
export function listSweeps(page: number, pageSize: number, tags: readonly string[], signal?: AbortSignal): Promise<SweepList> {
  const query = new URLSearchParams([["page", String(page)], ["pageSize", String(pageSize)], ...tags.map((tag) => ["tag", tag])]);
  return request(`/api/sweeps?${query}`, { signal });
}

/** Changes the sweep's tags and note; answers them as stored. */
export function relabelSweep(id: string, change: LabelsChange): Promise<SweepRecord> {
  return request(`/api/sweeps/${encodeURIComponent(id)}`, json(change, "PATCH"));
}

export function relabelRun(id: string, change: LabelsChange): Promise<RunRecord> {
  return request(`/api/runs/${encodeURIComponent(id)}`, json(change, "PATCH"));
}

/**
 * A config object is sent as JSON; text (pasted or uploaded YAML or JSON) as application/yaml, which
 * the API parses either way. With the same idempotency key, a re-send answers with the first sweep.
 */
export function submitSweep(config: object | string, idempotencyKey: string): Promise<SubmitResponse> {
  const init = typeof config === "string" ? { method: "POST", body: config, headers: { "Content-Type": "application/yaml" } } : json(config);
  return request("/api/sweeps", { ...init, headers: { ...init.headers, "Idempotency-Key": idempotencyKey } });
}

export function getSweep(id: string, signal?: AbortSignal): Promise<SweepDetail> {
  return request(`/api/sweeps/${encodeURIComponent(id)}`, { signal });
}

/** Every epoch row of every run of the sweep, in one request (for the curves of hundreds of runs). */
export function getSweepMetrics(id: string, signal?: AbortSignal): Promise<SweepMetrics> {
  return request(`/api/sweeps/${encodeURIComponent(id)}/metrics`, { signal });
}

export function getBest(id: string, options: Partial<BestOptions>, signal?: AbortSignal): Promise<BestResponse> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) if (value !== undefined) query.set(key, String(value));
  return request(`/api/sweeps/${encodeURIComponent(id)}/best?${query}`, { signal });
}

/** By the sweep's objective, as the CLI's `sweeps best --importance`. */
export function getImportance(id: string, signal?: AbortSignal): Promise<ImportanceResponse> {
  return request(`/api/sweeps/${encodeURIComponent(id)}/importance`, { signal });
}

/** A pbt sweep's decisions and each run's schedule, as the CLI's `sweeps lineage`. */
export function getLineage(id: string, signal?: AbortSignal): Promise<LineageResponse> {
  return request(`/api/sweeps/${encodeURIComponent(id)}/lineage`, { signal });
}

export function cancelSweep(id: string): Promise<CancelResponse> {
  return request(`/api/sweeps/${encodeURIComponent(id)}/cancel`, { method: "POST" });
}

export function pauseSweep(id: string): Promise<PauseResponse> {
  return request(`/api/sweeps/${encodeURIComponent(id)}/pause`, { method: "POST" });
}

export function resumeSweep(id: string): Promise<ResumeResponse> {
  return request(`/api/sweeps/${encodeURIComponent(id)}/resume`, { method: "POST" });
}

/** `trials` as typed (a number when it is one): the API names what is wrong with it. */
export function extendSweep(id: string, trials: number | string): Promise<ExtendResponse> {
  return request(`/api/sweeps/${encodeURIComponent(id)}/trials`, json({ trials }));
}

export function deleteSweep(id: string): Promise<DeleteResponse> {
  return request(`/api/sweeps/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export function retryRun(id: string): Promise<RetryResponse> {
  return request(`/api/runs/${encodeURIComponent(id)}/retry`, { method: "POST" });
}

export function getRun(id: string, signal?: AbortSignal): Promise<RunDetail> {
  return request(`/api/runs/${encodeURIComponent(id)}`, { signal });
}

export function getRunMetrics(id: string, signal?: AbortSignal): Promise<RunMetrics> {
  return request(`/api/runs/${encodeURIComponent(id)}/metrics`, { signal });
}

export function sampleUrl(runId: string, epoch: number): string {
  return urlWithToken(`/api/runs/${encodeURIComponent(runId)}/samples/${epoch}.png`);
}

export async function listWorkers(signal?: AbortSignal): Promise<WorkerInfo[]> {
  return (await request<WorkerList>("/api/workers", { signal })).workers;
}

export function isAbort(error: unknown): boolean {
  return error instanceof RequestAbortedError;
}
