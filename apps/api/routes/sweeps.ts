import { readFileSync } from "node:fs";
import type { Request } from "express";
import { z } from "zod";
import {
  bestOfSweep,
  cancelSweepRuns,
  deleteSweepEverywhere,
  dryRunSweep,
  extendBodySchema,
  extendSweep,
  IDEMPOTENCY_HEADER,
  idempotencyKeySchema,
  importanceOfSweep,
  isDryRun,
  parseIdempotencyKey,
  pauseSweepRuns,
  relabelSweepRecord,
  resumeSweepRuns,
  submitQuerySchema,
  submitSweep,
  sweepDetail,
  sweepList,
  sweepMetrics,
  sweepPageQuerySchema,
  sweepRuns,
  sweepRunsQuerySchema,
  sweepLineage,
  type ServiceContext,
} from "../../../libs/service/index.ts";
import { labelsChangeSchema, rankOptionsSchema } from "../../../libs/results/index.ts";
import { sweepConfigSchema } from "../../../libs/sweep/index.ts";
import { HttpError, notFound } from "../http-errors.ts";
import type { ApiRoute, ResponseSpec } from "../route-table.ts";
import { sweepExportRoute } from "./exports.ts";

/** A sweep config arrives as a JSON object, or as YAML/JSON text (paste or file upload). */
function configFrom(req: Request): unknown {
  if (typeof req.body === "string") {
    if (req.body.trim() === "") throw new HttpError(400, "the request body is empty: send a sweep config as JSON or YAML");
    return req.body;
  }
  if (req.body === undefined) {
    throw new HttpError(415, "send the sweep config with Content-Type application/json, application/yaml or text/plain");
  }
  if (req.body === null || typeof req.body !== "object" || Array.isArray(req.body)) {
    throw new HttpError(400, "the sweep config must be a JSON object (or YAML text)");
  }
  return req.body;
}

/** The answer, or 404 naming the sweep when there is none. */
function found<T>(answer: T | null, sweepId: string): T {
  if (answer === null) throw notFound(`sweep ${sweepId}`);
  return answer;
}

/** Described, not checked here: a read of an id that is no UUID finds nothing (404), a write names it (400). */
export const sweepIdParams = z.object({ id: z.uuid().describe("the sweep's id, as sweeps ls and POST /api/sweeps show it") });
const SWEEP_ID_EXAMPLE = { id: "3f2b8c1e-5d4a-4e9b-8c7d-1a2b3c4d5e6f" };

const idempotencyHeaders = z.object({
  [IDEMPOTENCY_HEADER]: idempotencyKeySchema.optional().describe("a retry with the same key and config answers the first sweep instead of storing a second"),
});

const SEED_STUDY_YAML = readFileSync(new URL("../../../examples/seed-study.yaml", import.meta.url), "utf8");

/** A study as JSON: TPE over two parameters, pruned by ASHA, ranked by the mean test accuracy of the last 3 epochs. */
const TPE_STUDY = {
  name: "tpe-lr-b1",
  strategy: "tpe",
  trials: 12,
  parallelism: 2,
  fixed: { epochs: 4, dataset: "mnist", imgSize: 28, limit: 1024 },
  parameters: { batchSize: 64, lr: { loguniform: [1e-4, 1e-3] }, b1: { choice: [0.5, 0.9] } },
  objective: { metric: "testAccuracy", scope: "lastK", k: 3 },
  pruner: { kind: "asha", minEpochs: 1, reductionFactor: 3 },
};

/** PATCH bodies: how tags and notes are changed (shared by the run route). */
export const LABELS_BODY: ApiRoute["body"] = {
  description: "What to change (tags, or addTags/removeTags, and note); what is left out stays.",
  required: true,
  content: {
    "application/json": {
      schema: labelsChangeSchema,
      component: "LabelsChange",
      examples: {
        add: { summary: "add two tags, take one off, set the note", value: { addTags: ["baseline", "lr:1e-3"], removeTags: ["draft"], note: "the seed recipe, for comparison" } },
        replace: { summary: "replace every tag, remove the note", value: { tags: ["final"], note: null } },
      },
    },
  },
};

const json = (description: string): ResponseSpec => ({ description });
const NOT_FOUND = json("no such sweep");
const CONFLICT = json("the sweep's status does not allow it (the error says why)");
const BAD_INPUT = json("bad input: `issues` name each field and what to change");

export function sweepRoutes(ctx: ServiceContext): ApiRoute[] {
  return [
    {
      method: "post",
      path: "/api/sweeps",
      tag: "sweeps",
      summary: "Submit a sweep (or check it: ?dryRun=1)",
      description:
        "Validates the config (schema, then whether every run fits the workers: dataset size, memory), stores the sweep and its planned runs and enqueues them. " +
        "With dryRun=1 the same checks run and nothing is stored or enqueued.",
      access: "write",
      query: { schema: submitQuerySchema, example: { dryRun: "1" } },
      headers: { schema: idempotencyHeaders, example: { [IDEMPOTENCY_HEADER]: "6e0c6a8e-9a3c-4d0b-b7c1-2f4f0e8a9d11" } },
      body: {
        description: "A sweep config (docs/sweeps.md): a JSON object, or the same as YAML or JSON text.",
        required: true,
        content: {
          "application/json": { schema: sweepConfigSchema, component: "SweepConfig", examples: { tpe: { summary: "a TPE study with ASHA pruning", value: TPE_STUDY } } },
          "application/yaml": { schema: sweepConfigSchema, component: "SweepConfig", text: true, examples: { seedStudy: { summary: "examples/seed-study.yaml", value: SEED_STUDY_YAML } } },
          "text/plain": { schema: sweepConfigSchema, component: "SweepConfig", text: true, examples: { seedStudy: { summary: "examples/seed-study.yaml, sent as text", value: SEED_STUDY_YAML } } },
        },
      },
      responses: {
        200: json("a dry run's plan and runs (DryRunResponse), or the first sweep of an idempotent retry (SubmitResponse, header Idempotent-Replayed: true)"),
        201: json("the sweep, its runs and the plan (SubmitResponse)"),
        400: BAD_INPUT,
        415: json("no body of a type the API reads"),
        422: json("the Idempotency-Key was used before with another config; `sweepId` is that sweep"),
      },
      handler: async (req, res) => {
        if (isDryRun(req.query)) {
          res.json(await dryRunSweep(configFrom(req)));
          return;
        }
        const idempotencyKey = parseIdempotencyKey(req.get(IDEMPOTENCY_HEADER));
        const { replayed, ...submitted } = await submitSweep(ctx, configFrom(req), { idempotencyKey });
        if (replayed) res.set("Idempotent-Replayed", "true");
        res.status(replayed ? 200 : 201).json(submitted);
      },
    },
    {
      method: "get",
      path: "/api/sweeps",
      tag: "sweeps",
      summary: "List sweeps, newest first",
      description: "With run counts per status and the current best of each.",
      access: "read",
      cached: true,
      query: { schema: sweepPageQuerySchema, example: { page: 1, pageSize: 20, tag: "baseline" } },
      responses: { 200: json("one page of sweeps (SweepList)"), 400: BAD_INPUT },
      handler: async (req, res) => {
        res.json(await sweepList(ctx, req.query));
      },
    },
    {
      method: "get",
      path: "/api/sweeps/:id",
      tag: "sweeps",
      summary: "A sweep with its runs, configurations and trials",
      access: "read",
      cached: true,
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      responses: { 200: json("SweepDetail"), 404: NOT_FOUND },
      handler: async (req, res) => {
        res.json(found(await sweepDetail(ctx, req.params.id), req.params.id));
      },
    },
    {
      method: "patch",
      path: "/api/sweeps/:id",
      tag: "sweeps",
      summary: "Change the sweep's tags and note",
      description: "Open dashboards are told (live event labels).",
      access: "write",
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      body: LABELS_BODY,
      responses: { 200: json("the sweep as stored now (SweepRecord)"), 400: BAD_INPUT, 404: NOT_FOUND },
      handler: async (req, res) => {
        res.json(found(await relabelSweepRecord(ctx, req.params.id, req.body), req.params.id));
      },
    },
    {
      method: "get",
      path: "/api/sweeps/:id/runs",
      tag: "sweeps",
      summary: "The sweep's runs, those with the tags asked for",
      access: "read",
      cached: true,
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      query: { schema: sweepRunsQuerySchema, example: { tag: "baseline" } },
      responses: { 200: json("SweepRuns"), 400: BAD_INPUT, 404: NOT_FOUND },
      handler: async (req, res) => {
        res.json(found(await sweepRuns(ctx, req.params.id, req.query), req.params.id));
      },
    },
    {
      method: "get",
      path: "/api/sweeps/:id/metrics",
      tag: "sweeps",
      summary: "Every epoch row of every run of the sweep (without the confusion matrices: GET /api/runs/:id/metrics has them)",
      access: "read",
      cached: true,
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      responses: { 200: json("SweepMetrics"), 404: NOT_FOUND },
      handler: async (req, res) => {
        res.json(found(await sweepMetrics(ctx, req.params.id), req.params.id));
      },
    },
    {
      method: "get",
      path: "/api/sweeps/:id/best",
      tag: "sweeps",
      summary: "Best runs and best configurations",
      description: "Ranked by the sweep's objective; each query option given overrides its part of it.",
      access: "read",
      cached: true,
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      query: { schema: rankOptionsSchema, example: { metric: "testAccuracy", scope: "lastK", k: 3, penalty: 0.5, limit: 5 } },
      responses: { 200: json("BestResponse"), 400: BAD_INPUT, 404: NOT_FOUND },
      handler: async (req, res) => {
        res.json(found(await bestOfSweep(ctx, req.params.id, req.query), req.params.id));
      },
    },
    {
      method: "get",
      path: "/api/sweeps/:id/importance",
      tag: "sweeps",
      summary: "Parameter importance: how much of the objective's variance each parameter explains",
      description:
        "fANOVA over a random forest fitted to the complete trials, as Optuna's FanovaImportanceEvaluator (docs/sweeps.md, Parameter importance); " +
        "the trials are valued by the sweep's objective, each query option given overriding its part. With fewer than 2 complete trials, or one value for all, `assessed` is false with the reason.",
      access: "read",
      cached: true,
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      query: { schema: rankOptionsSchema.omit({ limit: true }), example: { metric: "testAccuracy", scope: "lastK", k: 3 } },
      responses: { 200: json("ImportanceResponse"), 400: BAD_INPUT, 404: NOT_FOUND },
      handler: async (req, res) => {
        res.json(found(await importanceOfSweep(ctx, req.params.id, req.query), req.params.id));
      },
    },
    {
      method: "get",
      path: "/api/sweeps/:id/lineage",
      tag: "sweeps",
      summary: "A pbt sweep's lineage: its decisions, and each run's hyperparameters as a schedule over epochs",
      description:
        "Every stored decision in the order made (continue, or exploit: the run copied another's checkpoint as of fromEpoch and explore changed its values), " +
        "and per run the segments of epochs its weights were trained in, each by one run with one set of the perturbed values, from epoch 1 through its epochsDone " +
        "(docs/sweeps.md, Population-based training). 409 for a sweep of another strategy.",
      access: "read",
      cached: true,
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      responses: { 200: json("LineageResponse"), 404: NOT_FOUND, 409: json("not a pbt sweep: it has no lineage") },
      handler: async (req, res) => {
        res.json(found(await sweepLineage(ctx, req.params.id), req.params.id));
      },
    },
    sweepExportRoute(ctx, sweepIdParams, SWEEP_ID_EXAMPLE),
    sweepWrite("cancel", "Cancel: waiting runs end at once, running ones within one batch", "CancelResponse", (id) => cancelSweepRuns(ctx, id)),
    sweepWrite("pause", "Pause: queued runs held, running ones stop after their epoch, checkpointed", "PauseResponse", (id) => pauseSweepRuns(ctx, id)),
    sweepWrite(
      "resume",
      "Resume a paused sweep: queued runs get a job again and the study asks the trials it has room for",
      "ResumeResponse",
      (id) => resumeSweepRuns(ctx, id),
    ),
    {
      method: "post",
      path: "/api/sweeps/:id/trials",
      tag: "sweeps",
      summary: "Raise the sweep's trial budget",
      description: "The study asks the new trials at once (a completed sweep is active again), a paused one on resume.",
      access: "write",
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      body: {
        description: "How many trials to add.",
        required: true,
        content: { "application/json": { schema: extendBodySchema, examples: { four: { summary: "four more trials", value: { trials: 4 } } } } },
      },
      responses: { 200: json("ExtendResponse"), 400: BAD_INPUT, 404: NOT_FOUND, 409: CONFLICT },
      handler: async (req, res) => {
        res.json(found(await extendSweep(ctx, req.params.id, req.body), req.params.id));
      },
    },
    {
      method: "delete",
      path: "/api/sweeps/:id",
      tag: "sweeps",
      summary: "Delete the sweep with its runs, epochs, samples, checkpoints, logs and jobs",
      description: "Running runs are cancelled first.",
      access: "write",
      params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
      responses: { 200: json("DeleteResponse"), 400: BAD_INPUT, 404: NOT_FOUND },
      handler: async (req, res) => {
        res.json(found(await deleteSweepEverywhere(ctx, req.params.id), req.params.id));
      },
    },
  ];
}

/** POST /api/sweeps/:id/<action>: a lifecycle write without a body. */
function sweepWrite(action: string, summary: string, answer: string, act: (sweepId: string) => Promise<object | null>): ApiRoute {
  return {
    method: "post",
    path: `/api/sweeps/:id/${action}`,
    tag: "sweeps",
    summary,
    access: "write",
    params: { schema: sweepIdParams, example: SWEEP_ID_EXAMPLE },
    responses: { 200: json(answer), 400: BAD_INPUT, 404: NOT_FOUND, 409: CONFLICT },
    handler: async (req, res) => {
      res.json(found(await act(req.params.id), req.params.id));
    },
  };
}
