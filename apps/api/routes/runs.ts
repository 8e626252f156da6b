import { z } from "zod";
import { modelFileParams, relabelRunRecord, retrySweepRun, runDetail, runMetrics, runModelFile, runSample, type ServiceContext } from "../../../libs/service/index.ts";
import { parseInput } from "../../../libs/validation/index.ts";
import { notFound } from "../http-errors.ts";
import type { ApiRoute } from "../route-table.ts";
import { LABELS_BODY } from "./sweeps.ts";

/** Described, not checked here: a read of an id that is no UUID finds nothing (404), a retry names it (400). */
const runIdParams = z.object({ id: z.uuid().describe("the run's id, as GET /api/sweeps/:id and sweeps watch show it") });
const RUN_ID_EXAMPLE = { id: "9d1e7f2a-0b3c-4d5e-8f6a-7b8c9d0e1f2a" };

/** Checked here: the epoch is read from the name. */
const sampleFileParams = z.object({
  file: z.string().regex(/^\d{1,5}\.png$/, "is <epoch>.png, e.g. 3.png").describe("<epoch>.png: the grid drawn after that epoch"),
});
const sampleParams = runIdParams.extend(sampleFileParams.shape);
const modelParams = runIdParams.extend(modelFileParams.shape);

export function runRoutes(ctx: ServiceContext): ApiRoute[] {
  return [
    {
      method: "get",
      path: "/api/runs/:id",
      tag: "runs",
      summary: "A run with its status-change log and the epochs that have sample grids",
      access: "read",
      cached: true,
      params: { schema: runIdParams, example: RUN_ID_EXAMPLE },
      responses: { 200: { description: "RunDetail" }, 404: { description: "no such run" } },
      handler: async (req, res) => {
        const run = await runDetail(ctx, req.params.id);
        if (!run) throw notFound(`run ${req.params.id}`);
        res.json(run);
      },
    },
    {
      method: "patch",
      path: "/api/runs/:id",
      tag: "runs",
      summary: "Change the run's tags and note",
      description: "Open dashboards are told (live event labels).",
      access: "write",
      params: { schema: runIdParams, example: RUN_ID_EXAMPLE },
      body: LABELS_BODY,
      responses: {
        200: { description: "the run as stored now (RunRecord)" },
        400: { description: "bad input: `issues` name each field and what to change" },
        404: { description: "no such run" },
      },
      handler: async (req, res) => {
        const run = await relabelRunRecord(ctx, req.params.id, req.body);
        if (!run) throw notFound(`run ${req.params.id}`);
        res.json(run);
      },
    },
    {
      method: "get",
      path: "/api/runs/:id/metrics",
      tag: "runs",
      summary: "The run's epoch rows, each with its confusion matrix and per-class test accuracy",
      description: "confusion: held-out images by true class (row) and predicted class (column); classAccuracy: each row's diagonal over its sum. Both null for epochs stored before the matrix was (migration 20261202030000).",
      access: "read",
      cached: true,
      params: { schema: runIdParams, example: RUN_ID_EXAMPLE },
      responses: { 200: { description: "RunMetrics" }, 404: { description: "no such run" } },
      handler: async (req, res) => {
        const metrics = await runMetrics(ctx, req.params.id);
        if (!metrics) throw notFound(`run ${req.params.id}`);
        res.json(metrics);
      },
    },
    {
      method: "post",
      path: "/api/runs/:id/retry",
      tag: "runs",
      summary: "Queue a failed or cancelled run again, from its checkpoint",
      description: "Its sweep is active again (a paused sweep's run waits for resume).",
      access: "write",
      params: { schema: runIdParams, example: RUN_ID_EXAMPLE },
      responses: {
        200: { description: "RetryResponse" },
        400: { description: "the id is no UUID" },
        404: { description: "no such run" },
        409: { description: "the run's status cannot be retried (the error says why)" },
      },
      handler: async (req, res) => {
        const retried = await retrySweepRun(ctx, req.params.id);
        if (!retried) throw notFound(`run ${req.params.id}`);
        res.json(retried);
      },
    },
    {
      method: "get",
      path: "/api/runs/:id/samples/:file",
      tag: "runs",
      summary: "The 5x5 sample grid of an epoch",
      access: "read",
      queryToken: true,
      params: { schema: sampleParams, example: { ...RUN_ID_EXAMPLE, file: "3.png" } },
      responses: {
        200: { description: "the grid", contentType: "image/png" },
        400: { description: "the file name is not <epoch>.png" },
        404: { description: "no sample of that run at that epoch" },
      },
      handler: async (req, res) => {
        const epoch = Number.parseInt(parseInput(sampleFileParams, req.params, "sample path").file, 10);
        const png = await runSample(ctx, req.params.id, epoch);
        if (!png) throw notFound(`sample of run ${req.params.id} at epoch ${epoch}`);
        res.type("png").set("Cache-Control", "public, max-age=86400, immutable").send(png);
      },
    },
    {
      method: "get",
      path: "/api/runs/:id/model/:epoch/:network/:file",
      tag: "runs",
      summary: "A trained network of the run in TensorFlow.js's weights format (docs/models.md)",
      description:
        "model.json (weightsManifest naming weights.bin beside it, the training config in userDefinedMetadata) and weights.bin, " +
        "from the run's last or best epoch (or epoch N, when it is one of those): tf.io.loadWeights reads them from this URL; " +
        "sweeps model saves both networks, npm run classify uses the discriminator. The Model-Epoch header names the epoch served.",
      access: "read",
      queryToken: true,
      params: { schema: modelParams, example: { ...RUN_ID_EXAMPLE, epoch: "last", network: "discriminator", file: "model.json" } },
      responses: {
        200: { description: "model.json (application/json) or weights.bin; header Model-Epoch: the epoch the weights were trained for", contentType: "application/octet-stream" },
        400: { description: "epoch, network or file is none of those listed" },
        404: { description: "no such run" },
        409: { description: "no weights to give: no checkpoint yet, taken inside an epoch, or an epoch that is neither the last nor the best (the answer lists those kept)" },
      },
      handler: async (req, res) => {
        const file = await runModelFile(ctx, req.params.id, req.params);
        if (!file) throw notFound(`run ${req.params.id}`);
        res.type(file.contentType).set("Model-Epoch", String(file.epoch)).send(file.body);
      },
    },
  ];
}
