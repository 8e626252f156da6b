import type { z } from "zod";
import { exportQuerySchema, sweepExport, type ServiceContext } from "../../../libs/service/index.ts";
import { notFound } from "../http-errors.ts";
import type { ApiRoute } from "../route-table.ts";

/** GET /api/sweeps/:id/export: a download (Content-Disposition: attachment) the dashboard's Export control links to. */
export function sweepExportRoute(ctx: ServiceContext, sweepIdParams: z.ZodObject, example: Record<string, string>): ApiRoute {
  return {
    method: "get",
    path: "/api/sweeps/:id/export",
    tag: "sweeps",
    summary: "Download the sweep's runs or every epoch row, as CSV or JSON",
    description:
      "Runs: hyperparameters (a column each, the union over runs), status, summary figures, the run's objective value and its trial's. " +
      "Metric figures are written as the shortest decimal that reads back as the same float32; CSV is RFC 4180 with a header row, " +
      "control characters in text written as visible escapes. format=json answers {sweepId, name, rows, columns, data}.",
    access: "read",
    queryToken: true,
    params: { schema: sweepIdParams, example },
    query: { schema: exportQuerySchema, example: { format: "csv", rows: "runs" } },
    responses: {
      200: { description: "the file: text/csv, or application/json with format=json", contentType: "text/csv" },
      400: { description: "bad input: `issues` name each field and what to change" },
      404: { description: "no such sweep" },
    },
    handler: async (req, res) => {
      const file = await sweepExport(ctx, req.params.id, req.query);
      if (!file) throw notFound(`sweep ${req.params.id}`);
      // attachment() sets a type from the file name; the service's type (with its charset) is set after it.
      res.attachment(file.fileName).type(file.contentType).send(file.body);
    },
  };
}
