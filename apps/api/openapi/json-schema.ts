// JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) of the zod schemas that validate requests, by
// zod's own z.toJSONSchema, as clients send them (io "input": defaults are optional).
import { z } from "zod";
import { SWEEPABLE_FIELDS, sweepConfigSchema, type SweepableField } from "../../../libs/sweep/index.ts";
import { fieldSchema } from "../../../libs/sweep/fields.ts";
import { distributionSpecSchema } from "../../../libs/sweep/parameter-schema.ts";

export type JsonSchema = Record<string, unknown>;

/**
 * A sweep parameter is validated by a transform over `unknown` (a plain value or a distribution, each
 * value it can take checked by the training field's rule), which JSON Schema would read as "anything":
 * it is described by its two parts instead, both from the schemas the transform applies.
 */
const SWEEP_PARAMETER_FIELDS = new Map<z.ZodType, SweepableField>(
  SWEEPABLE_FIELDS.map((field) => [sweepConfigSchema.shape.parameters.unwrap().shape[field].unwrap(), field]),
);

const convert = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", override: describeSweepParameter }) as JsonSchema;

function describeSweepParameter({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const field = SWEEP_PARAMETER_FIELDS.get(zodSchema as z.ZodType);
  if (field === undefined) return;
  jsonSchema.description = `a plain value fixes ${field} for every run; a distribution (exactly one of choice, uniform, loguniform, int, log2int) varies it`;
  jsonSchema.anyOf = [bare(convert(fieldSchema(field))), { $ref: DISTRIBUTION_REF }];
}

/** Where the document keeps the distribution's schema, shared by every sweep parameter. */
export const DISTRIBUTION_COMPONENT = "SweepParameterDistribution";
const DISTRIBUTION_REF = `#/components/schemas/${DISTRIBUTION_COMPONENT}`;

/** The components the schemas above refer to. */
export function sharedComponents(): Record<string, JsonSchema> {
  return { [DISTRIBUTION_COMPONENT]: bare(convert(distributionSpecSchema)) };
}

/** Without `$schema`: inside an OpenAPI document the dialect is the document's (jsonSchemaDialect). */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** The JSON Schema of what `schema` accepts. */
export function requestSchema(schema: z.ZodType): JsonSchema {
  return bare(convert(schema));
}

/** Each property of an object schema (a query, the path, headers), with whether a client must send it. */
export function propertySchemas(schema: z.ZodObject): Array<{ name: string; required: boolean; schema: JsonSchema }> {
  const whole = requestSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(whole.properties ?? {}).map(([name, property]) => ({ name, required: whole.required?.includes(name) ?? false, schema: property }));
}
