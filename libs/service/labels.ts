// Tags and notes: a person's labels on a sweep or a run, changed with PATCH; the lists filter by tag.
import { z } from "zod";
import { relabelRun, relabelSweep, type Labels } from "../db/index.ts";
import { publishEvent } from "../queue/index.ts";
import { changedTags, labelsChangeSchema, MAX_TAGS, tagSchema, type RunRecord, type SweepRecord } from "../results/index.ts";
import { InvalidInputError, parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { requireUuid } from "./ids.ts";
import { toRunRecord, toSweepRecord } from "./wire.ts";

/** A tag filter as a query brings it: `?tag=a&tag=b` (every one must match), each a tag. */
export const tagQuerySchema = z
  .union([tagSchema, z.array(tagSchema).max(MAX_TAGS)])
  .optional()
  .describe("only those with this tag; repeat it (tag=a&tag=b) for those with every one");

/** The filter's tags, as a list (none: no filter). */
export function queryTags(tag: z.output<typeof tagQuerySchema>): string[] {
  return tag === undefined ? [] : [tag].flat();
}

/** Changes the sweep's tags and note as `body` says (InvalidInputError naming the field otherwise) and tells open dashboards; null: no such sweep. */
export async function relabelSweepRecord(ctx: ServiceContext, sweepId: string, body: unknown): Promise<SweepRecord | null> {
  const change = parseInput(labelsChangeSchema, body ?? {}, "request body");
  requireUuid(sweepId, "sweep");
  const sweep = await relabelSweep(ctx.db, sweepId, (current) => relabelled(current, change));
  if (!sweep) return null;
  await publishEvent(ctx.publisher, { type: "labels", sweepId, runId: null, tags: sweep.tags, note: sweep.note });
  ctx.log.info({ sweepId, tags: sweep.tags.length, note: sweep.note !== null }, "sweep relabelled");
  return toSweepRecord(sweep);
}

/** Changes the run's tags and note as `body` says and tells open dashboards; null: no such run. */
export async function relabelRunRecord(ctx: ServiceContext, runId: string, body: unknown): Promise<RunRecord | null> {
  const change = parseInput(labelsChangeSchema, body ?? {}, "request body");
  requireUuid(runId, "run");
  const run = await relabelRun(ctx.db, runId, (current) => relabelled(current, change));
  if (!run) return null;
  await publishEvent(ctx.publisher, { type: "labels", sweepId: run.sweepId, runId, tags: run.tags, note: run.note });
  ctx.log.info({ runId, sweepId: run.sweepId, tags: run.tags.length, note: run.note !== null }, "run relabelled");
  return toRunRecord(run);
}

/** The labels after `change`; refused at addTags when they would be more than MAX_TAGS. */
function relabelled(current: Labels, change: z.output<typeof labelsChangeSchema>): Labels {
  const tags = change.tags ?? changedTags(current.tags, change.addTags ?? [], change.removeTags ?? []);
  if (tags.length > MAX_TAGS) {
    const message = `would make ${tags.length} tags, more than the ${MAX_TAGS} one may have: remove some (removeTags) first`;
    throw new InvalidInputError("request body", [{ path: "addTags", message }]);
  }
  const note = change.note === undefined ? current.note : change.note || null;
  return { tags, note };
}
