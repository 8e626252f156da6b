// The sweeps API over HTTP: one typed function per endpoint the CLI uses.
import {
  ApiError,
  apiErrorBody,
  type BestResponse,
  type CancelResponse,
  type DeleteResponse,
  type DryRunResponse,
  type ExtendResponse,
  type LabelsChange,
  type ImportanceResponse,
  type LineageResponse,
  type PauseResponse,
  type RankOptions,
  type ResumeResponse,
  type RetryResponse,
  type RunRecord,
  type SubmitResponse,
  type SweepDetail,
  type SweepList,
  type SweepRecord,
  type SweepRuns,
} from "../../../libs/results/index.ts";

/** What a change of labels was made to: the sweep or the run with the id given. */
export type Relabelled = { kind: "sweep"; record: SweepRecord } | { kind: "run"; record: RunRecord };

/** Query parameters of GET /api/sweeps/:id/best as typed: the API validates them and names what it refuses. */
export type RankQuery = { [Option in keyof RankOptions]?: string };

export const DEFAULT_API_URL = "http://127.0.0.1:3000";

/** Long enough for a big sweep's detail under load; a hung API must not hang the CLI forever. */
const REQUEST_TIMEOUT_MS = 30_000;

/** No HTTP answer at all: nothing listens at the URL, a wrong host, a timeout. */
export class ApiUnreachableError extends Error {
  constructor(
    baseUrl: string,
    readonly reason: string,
    advice = "is it running (npm start)? Otherwise point --api or SWEEPS_API_URL at it",
  ) {
    super(`cannot reach the sweeps API at ${baseUrl} (${reason}): ${advice}`);
    this.name = "ApiUnreachableError";
  }
}

export class SweepsApi {
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer` on every request, the event stream included. */
  private readonly token: string | null;

  constructor(baseUrl: string, token?: string | null) {
    // Appending paths (not new URL(path, base)) keeps a base path such as http://host/sweeps-api.
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.token = token ? token : null;
  }

  /** The config file's text as it is: the API reads YAML or JSON and reports issues with their paths. */
  submitSweep(configText: string): Promise<SubmitResponse> {
    return this.request("POST", "/api/sweeps", { body: configText, headers: { "Content-Type": "application/yaml" } });
  }

  /** The same config checked and planned as a submit would, with nothing stored. */
  dryRunSweep(configText: string): Promise<DryRunResponse> {
    return this.request("POST", "/api/sweeps?dryRun=1", { body: configText, headers: { "Content-Type": "application/yaml" } });
  }

  listSweeps(query: { page?: string; pageSize?: string; tag?: string[] }): Promise<SweepList> {
    return this.request("GET", `/api/sweeps${queryString(query)}`);
  }

  getSweep(id: string): Promise<SweepDetail> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}`);
  }

  /** The sweep's runs with every one of `tag` (all of them without). */
  sweepRuns(id: string, tag: string[] = []): Promise<SweepRuns> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}/runs${queryString({ tag })}`);
  }

  /** Changes the tags and note of the sweep with this id, else of the run with it (ids are UUIDs: never both). */
  async relabel(id: string, change: LabelsChange): Promise<Relabelled> {
    const init = { body: JSON.stringify(change), headers: { "Content-Type": "application/json" } };
    const sweep = await this.request<SweepRecord>("PATCH", `/api/sweeps/${encodeURIComponent(id)}`, init).catch(unlessNotFound);
    if (sweep) return { kind: "sweep", record: sweep };
    const run = await this.request<RunRecord>("PATCH", `/api/runs/${encodeURIComponent(id)}`, init).catch(unlessNotFound);
    if (run) return { kind: "run", record: run };
    throw new ApiError(404, `no sweep or run ${id}: use an id as sweeps ls, sweeps show or sweeps watch show it`);
  }

  bestOfSweep(id: string, query: RankQuery): Promise<BestResponse> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}/best${queryString(query)}`);
  }

  importanceOfSweep(id: string, query: Omit<RankQuery, "limit">): Promise<ImportanceResponse> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}/importance${queryString(query)}`);
  }

  sweepLineage(id: string): Promise<LineageResponse> {
    return this.request("GET", `/api/sweeps/${encodeURIComponent(id)}/lineage`);
  }

  cancelSweep(id: string): Promise<CancelResponse> {
    return this.request("POST", `/api/sweeps/${encodeURIComponent(id)}/cancel`);
  }

  pauseSweep(id: string): Promise<PauseResponse> {
    return this.request("POST", `/api/sweeps/${encodeURIComponent(id)}/pause`);
  }

  resumeSweep(id: string): Promise<ResumeResponse> {
    return this.request("POST", `/api/sweeps/${encodeURIComponent(id)}/resume`);
  }

  /** `trials` as typed: the API validates it and names what it refuses. */
  extendSweep(id: string, trials: number | string): Promise<ExtendResponse> {
    return this.request("POST", `/api/sweeps/${encodeURIComponent(id)}/trials`, { body: JSON.stringify({ trials }), headers: { "Content-Type": "application/json" } });
  }

  deleteSweep(id: string): Promise<DeleteResponse> {
    return this.request("DELETE", `/api/sweeps/${encodeURIComponent(id)}`);
  }

  retryRun(runId: string): Promise<RetryResponse> {
    return this.request("POST", `/api/runs/${encodeURIComponent(runId)}/retry`);
  }

  /** The export file's text as the API wrote it (CSV or JSON). */
  async exportSweep(id: string, query: { format: string; rows: string }): Promise<string> {
    return (await this.download(`/api/sweeps/${encodeURIComponent(id)}/export${queryString(query)}`)).toString("utf8");
  }

  /** One file of a run's exported network (model.json or weights.bin), as the API serves it. */
  modelFile(runId: string, epoch: string, network: string, file: string): Promise<Buffer> {
    return this.download(`/api/runs/${encodeURIComponent(runId)}/model/${[epoch, network, file].map(encodeURIComponent).join("/")}`);
  }

  /**
   * The live event stream of one sweep (server-sent events, raw bytes), connected when this resolves. It
   * stays open until `signal` aborts; if it breaks off, reading it throws ApiUnreachableError.
   */
  async openEvents(sweepId: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const path = `/api/events${queryString({ sweepId })}`;
    const response = await this.guard({ caller: signal }, () => this.fetch("GET", path, { signal, headers: { Accept: "text/event-stream" } }));
    if (!response.ok || !response.body) throw apiError(response, await this.guard({ caller: signal }, () => readJson(response)), this.baseUrl);
    return this.brokenOffAsUnreachable(response.body, signal);
  }

  private async *brokenOffAsUnreachable(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      yield* body;
    } catch (error) {
      if (signal.aborted) return;
      throw new ApiUnreachableError(this.baseUrl, `the event stream broke off: ${failureReason(error)}`);
    }
  }

  private async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const { response, body } = await this.guard({ timeout }, async () => {
      const response = await this.fetch(method, path, { ...init, signal: timeout });
      return { response, body: await readJson(response) };
    });
    if (!response.ok) throw apiError(response, body, this.baseUrl);
    if (body === undefined) throw notTheApi(response, this.baseUrl);
    return body as T;
  }

  /** A GET whose answer is a file, not JSON; an error answer is still the API's JSON. */
  private async download(path: string): Promise<Buffer> {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const { response, bytes } = await this.guard({ timeout }, async () => {
      const response = await this.fetch("GET", path, { signal: timeout });
      return { response, bytes: Buffer.from(await response.arrayBuffer()) };
    });
    if (!response.ok) throw apiError(response, parsedJson(bytes.toString("utf8")), this.baseUrl);
    return bytes;
  }

  private fetch(method: string, path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token !== null) headers.set("Authorization", `Bearer ${this.token}`);
    const attempt = () => fetch(`${this.baseUrl}${path}`, { ...init, headers, method });
    return attempt().catch((error: unknown) => {
      // The server may close an idle keep-alive connection just as a request goes out on it (likelier
      // while training blocks its event loop); a GET is safe to send again.
      if (method === "GET" && isConnectionReset(error)) return attempt();
      throw error;
    });
  }

  /**
   * Network failures become ApiUnreachableError; so does a request that outlived its timeout. An abort
   * through the caller's signal is rethrown as it is.
   */
  private async guard<T>(signals: { caller?: AbortSignal; timeout?: AbortSignal }, exchange: () => Promise<T>): Promise<T> {
    try {
      return await exchange();
    } catch (error) {
      if (signals.caller?.aborted) throw error;
      if (signals.timeout?.aborted) {
        throw new ApiUnreachableError(this.baseUrl, `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`, "it took the request but did not answer; it may be overloaded, try again");
      }
      throw new ApiUnreachableError(this.baseUrl, failureReason(error));
    }
  }

}

/** A list is the parameter repeated (`tag=a&tag=b`). */
function queryString(query: Record<string, string | readonly string[] | undefined>): string {
  const entries = Object.entries(query).flatMap(([name, value]) => [value ?? []].flat().map((one) => [name, one]));
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries)}`;
}

/** Null for a 404 answer, so that the caller can try elsewhere; any other error as it is. */
function unlessNotFound(error: unknown): null {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
}

async function readJson(response: Response): Promise<unknown> {
  return parsedJson(await response.text());
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiError(response: Response, json: unknown, baseUrl: string): ApiError {
  const body = apiErrorBody(json);
  if (body === null) return notTheApi(response, baseUrl);
  if (response.status === 401) {
    return new ApiError(401, `the sweeps API at ${baseUrl} refused the request (401): ${body.error.split("\n")[0]}; pass --token or set SWEEPS_API_TOKEN`);
  }
  const issues = body.issues ?? [];
  // With issues, the API's message repeats them below a headline ("invalid sweep config:"); keep the headline.
  const message = issues.length > 0 ? body.error.split("\n")[0].replace(/:$/, "") : body.error;
  return new ApiError(response.status, message, issues);
}

function notTheApi(response: Response, baseUrl: string): ApiError {
  return new ApiError(response.status, `${baseUrl} answered ${response.status} ${response.statusText} without the sweeps API's JSON: is --api / SWEEPS_API_URL right?`);
}

function causeOf(error: unknown): { code?: string; message?: string } {
  return ((error as { cause?: unknown })?.cause ?? {}) as { code?: string; message?: string };
}

function isConnectionReset(error: unknown): boolean {
  const { code } = causeOf(error);
  return code === "ECONNRESET" || code === "UND_ERR_SOCKET";
}

function failureReason(error: unknown): string {
  const cause = causeOf(error);
  return cause.message || cause.code || (error as Error).message;
}
