import { z } from "zod";
import { issueMessages } from "../validation/index.ts";
import { powersOfTwoWithin, toDistribution } from "./distributions.ts";
import { fieldSchema, type SweepableField } from "./fields.ts";

export type Scalar = string | number | boolean;

export const DISTRIBUTION_KINDS = ["choice", "uniform", "loguniform", "int", "log2int"] as const;
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];

/** A distribution as written in a sweep config: exactly one kind, with its options. */
export type DistributionSpec =
  | { choice: Scalar[] }
  | { uniform: [number, number]; points?: number }
  | { loguniform: [number, number]; points?: number }
  | { int: [number, number]; step?: number }
  | { log2int: [number, number] };

/** A plain value fixes the parameter for every run. */
export type ParameterSpec = Scalar | DistributionSpec;

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);
const rangeSchema = (bound: z.ZodNumber) => z.tuple([bound, bound]);

export const distributionSpecSchema = z
  .strictObject({
    choice: z.array(scalarSchema).min(1).optional(),
    uniform: rangeSchema(z.number()).optional(),
    loguniform: rangeSchema(z.number()).optional(),
    int: rangeSchema(z.number().int()).optional(),
    log2int: rangeSchema(z.number().int()).optional(),
    step: z.number().int().min(1).optional(),
    points: z.number().int().min(2).max(100).optional(),
  })
  .superRefine((spec, ctx) => {
    const kinds = DISTRIBUTION_KINDS.filter((kind) => spec[kind] !== undefined);
    if (kinds.length !== 1) {
      const got = kinds.length === 0 ? "none" : kinds.join(" and ");
      ctx.addIssue({ code: "custom", message: `a distribution takes exactly one of ${DISTRIBUTION_KINDS.join(", ")}; got ${got}` });
      return;
    }
    const [kind] = kinds;
    if (spec.step !== undefined && kind !== "int") {
      ctx.addIssue({ code: "custom", path: ["step"], message: `step applies to int only, not ${kind}` });
    }
    if (spec.points !== undefined && kind !== "uniform" && kind !== "loguniform") {
      ctx.addIssue({ code: "custom", path: ["points"], message: `points applies to uniform and loguniform only, not ${kind}` });
    }
    if (kind === "choice") return;
    const [low, high] = spec[kind]!;
    if (low > high) ctx.addIssue({ code: "custom", path: [kind], message: `low ${low} is above high ${high}` });
    else if (kind === "loguniform" && low <= 0) ctx.addIssue({ code: "custom", path: [kind], message: `loguniform needs low > 0` });
    else if (kind === "log2int" && powersOfTwoWithin(low, high).length === 0) {
      ctx.addIssue({ code: "custom", path: [kind], message: `no power of two lies within [${low}, ${high}]` });
    }
  })
  .transform((spec) => spec as DistributionSpec);

export function distributionKind(spec: ParameterSpec): DistributionKind | null {
  return typeof spec === "object" ? DISTRIBUTION_KINDS.find((kind) => kind in spec)! : null;
}

/**
 * One sweepable parameter: a plain value or a distribution, every value it can produce checked against the
 * training field's own schema so that a sweep that would build an invalid run is refused before any run exists.
 */
export function parameterSchema(field: SweepableField) {
  return z.unknown().transform((value, ctx): ParameterSpec => {
    const spec = parseSpec(value, ctx);
    if (spec === null) return z.NEVER;
    const kind = distributionKind(spec);
    toDistribution(spec).probes().forEach((probe, i) => {
      const result = fieldSchema(field).safeParse(probe);
      if (result.success) return;
      const refusal = issueMessages(result.error);
      if (kind === null) ctx.addIssue({ code: "custom", message: refusal });
      else if (kind === "choice") ctx.addIssue({ code: "custom", path: [kind, i], message: refusal });
      else ctx.addIssue({ code: "custom", path: [kind], message: `can produce ${probe}, which ${field} refuses: ${refusal}` });
    });
    return spec;
  });
}

/** Longest choice list: more values than a sweep can have runs is a mistake, refused before each value is checked. */
export const MAX_CHOICES = 1000;

function parseSpec(value: unknown, ctx: z.RefinementCtx): ParameterSpec | null {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { choice } = value as { choice?: unknown };
    if (Array.isArray(choice) && choice.length > MAX_CHOICES) {
      ctx.addIssue({ code: "custom", path: ["choice"], message: `${choice.length.toLocaleString("en-US")} values; a choice takes at most ${MAX_CHOICES}` });
      return null;
    }
    const result = distributionSpecSchema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
    return null;
  }
  ctx.addIssue({
    code: "custom",
    message: "expected a plain value (number, string, true/false) or a distribution such as { choice: [...] } or { loguniform: [low, high] }",
  });
  return null;
}
