// A sweep's results as a file: its runs (hyperparameters, status, summary, objective) or every epoch
// row of its runs with its confusion matrix, as CSV or JSON (libs/results/export-table.ts says how
// numbers, text and matrices are written).
import { z } from "zod";
import { getSweep, getSweepRuns, type RunWithEpochs } from "../db/index.ts";
import {
  EXPORT_FORMATS,
  EXPORT_ROWS,
  scoreRun,
  toCsv,
  toExportJson,
  type EpochRow,
  type ExportColumn,
  type ExportTable,
  type ExportValue,
  type Objective,
  type RunSummary,
  type SweepExportJson,
} from "../results/index.ts";
import { parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { storedConfig } from "./stored.ts";
import { toRunEpochRow, toRunRow, toSweepTrials } from "./wire.ts";

export const exportQuerySchema = z.object({
  format: z.enum(EXPORT_FORMATS).default("csv").describe("csv (RFC 4180, a header row) or json"),
  rows: z.enum(EXPORT_ROWS).default("runs").describe("runs: one row per run; epochs: one row per epoch of every run"),
});

export interface SweepExportFile {
  fileName: string;
  contentType: string;
  body: string;
}

const SUMMARY_FIGURES = [
  "finalTestAccuracy",
  "bestTestAccuracy",
  "lastKMeanTestAccuracy",
  "testAccuracyStdLastK",
  "dAccStdLastK",
  "meanAbsTestAccuracyChange",
  "maxGLossSpike",
  "maxGLoss",
  "finalDLoss",
  "finalGLoss",
] as const satisfies ReadonlyArray<keyof RunSummary>;

const EPOCH_FIGURES = [
  "dLossMean", "dLossStd", "dLossMin", "dLossMax",
  "gLossMean", "gLossStd", "gLossMin", "gLossMax",
  "dAccMean", "dAccStd", "dAccMin", "dAccMax",
  "testAccuracy", "testClassLoss", "samplesPerSec", "wallSeconds",
] as const satisfies ReadonlyArray<keyof EpochRow>;

const column = (name: string, kind: ExportColumn["kind"]): ExportColumn => ({ name, kind });
const RUN_KEY_COLUMNS = [column("sweep", "text"), column("runId", "text"), column("index", "integer"), column("trial", "integer"), column("repeat", "integer"), column("configKey", "text")];

/** The export `query` asks for (strings as they came); null: no such sweep. Bad options: InvalidInputError naming them. */
export async function sweepExport(ctx: Pick<ServiceContext, "db">, sweepId: string, query: Record<string, unknown>): Promise<SweepExportFile | null> {
  const { format, rows } = parseInput(exportQuerySchema, query, "query");
  const sweep = await getSweep(ctx.db, sweepId);
  if (!sweep) return null;
  const runs = await getSweepRuns(ctx.db, sweep.id);
  const config = storedConfig(sweep);
  const trialOf = trialNumbers(runs, config);
  const table = rows === "runs" ? runsTable(sweep.name, runs, trialOf, config.objective) : epochsTable(sweep.name, runs, trialOf);
  const fileName = `sweep-${sweep.id}-${rows}.${format}`;
  if (format === "csv") return { fileName, contentType: "text/csv; charset=utf-8; header=present", body: toCsv(table) };
  const json: SweepExportJson = { sweepId: sweep.id, name: sweep.name, tags: sweep.tags, note: sweep.note, rows, columns: table.columns.map((c) => c.name), data: toExportJson(table) };
  return { fileName, contentType: "application/json; charset=utf-8", body: `${JSON.stringify(json, null, 2)}\n` };
}

interface Trial {
  number: number;
  value: number | null;
}

/** Each run's trial (its configuration, across repeats) with the objective value the sampler is told. */
function trialNumbers(runs: readonly RunWithEpochs[], config: ReturnType<typeof storedConfig>): Map<string, Trial> {
  const trials = toSweepTrials(runs, config);
  return new Map(trials.flatMap((trial) => trial.runIds.map((runId) => [runId, { number: trial.number, value: trial.value }] as const)));
}

function runsTable(sweepName: string, runs: readonly RunWithEpochs[], trialOf: Map<string, Trial>, objective: Objective): ExportTable {
  const rows = runs.map((run) => toRunRow({ ...run, epochCount: run.epochs.length }));
  const parameters = [...new Set(rows.flatMap((row) => Object.keys(row.hyperparameters)))];
  const columns = [
    ...RUN_KEY_COLUMNS,
    column("seed", "integer"),
    column("status", "text"),
    column("epochsDone", "integer"),
    ...parameters.map((name) => column(name, "parameter")),
    ...SUMMARY_FIGURES.map((name) => column(name, "figure")),
    column("bestEpoch", "integer"),
    column("objective", "figure"),
    column("trialObjective", "figure"),
    column("error", "text"),
    column("tags", "text"),
    column("note", "text"),
  ];
  return {
    columns,
    rows: rows.map((row, i) => {
      const trial = trialOf.get(row.id);
      const hyperparameters = row.hyperparameters as Record<string, unknown>;
      const objectiveValue = row.status === "completed" ? (scoreRun(runs[i].epochs, { ...objective, limit: 1 })?.score ?? null) : null;
      return [
        sweepName,
        row.id,
        row.index,
        trial?.number ?? null,
        row.repeat,
        row.configKey,
        row.seed,
        row.status,
        row.epochsDone,
        ...parameters.map((name) => parameterValue(hyperparameters[name])),
        ...SUMMARY_FIGURES.map((name) => row.summary?.[name] ?? null),
        row.summary?.bestEpoch ?? null,
        objectiveValue,
        trial?.value ?? null,
        row.error,
        // A tag holds no space, so the list reads back with a split on spaces.
        row.tags.join(" "),
        row.note,
      ];
    }),
  };
}

function epochsTable(sweepName: string, runs: readonly RunWithEpochs[], trialOf: Map<string, Trial>): ExportTable {
  const columns = [
    ...RUN_KEY_COLUMNS,
    column("epoch", "integer"),
    column("batches", "integer"),
    ...EPOCH_FIGURES.map((name) => column(name, "figure")),
    column("confusion", "counts"),
  ];
  return {
    columns,
    rows: runs.flatMap((run) =>
      run.epochs.map(toRunEpochRow).map((epoch): ExportValue[] => [
        sweepName,
        run.id,
        run.index,
        trialOf.get(run.id)?.number ?? null,
        run.repeat,
        run.configKey,
        epoch.epoch,
        epoch.batches,
        ...EPOCH_FIGURES.map((name) => epoch[name]),
        epoch.confusion,
      ]),
    ),
  };
}

/** A scalar as it is; anything else (none of today's hyperparameters) as its JSON text. */
function parameterValue(value: unknown): ExportValue {
  if (value === undefined) return null;
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null ? value : JSON.stringify(value);
}
