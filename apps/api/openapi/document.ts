// The OpenAPI 3.1 document of the API, generated from the route table: each operation's parameters
// and request bodies are the JSON Schema of the zod schemas that validate them (json-schema.ts).
import { z } from "zod";
import type { ApiErrorBody } from "../../../libs/results/index.ts";
import type { RouteAccess } from "../auth.ts";
import { openApiPath, type ApiRoute, type BodySpec, type MediaSpec, type MountedPath, type ParameterSpec } from "../route-table.ts";
import { propertySchemas, requestSchema, sharedComponents, type JsonSchema } from "./json-schema.ts";

export const OPENAPI_VERSION = "3.1.0";
const DIALECT = "https://json-schema.org/draft/2020-12/schema";

/** Every error answer's body; the compile-time check below keeps it the contract's ApiErrorBody. */
const apiErrorSchema = z.object({
  error: z.string().describe("what went wrong and what to do, in words"),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe("bad input (400): each field and what to change"),
  sweepId: z.string().optional().describe("422: the sweep the Idempotency-Key was first used for"),
});
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ERROR_SCHEMA_IS_THE_CONTRACT: Same<z.infer<typeof apiErrorSchema>, ApiErrorBody> = true;
void ERROR_SCHEMA_IS_THE_CONTRACT;

const TAGS = [
  { name: "sweeps", description: "Submit, read, rank and steer sweeps (docs/sweeps.md)." },
  { name: "runs", description: "One run: its record, epochs, sample grids, retry." },
  { name: "workers", description: "The training workers and what they do now." },
  { name: "operations", description: "Liveness, readiness, Prometheus metrics, live events." },
  { name: "documentation", description: "This document and its page." },
  { name: "pages", description: "What a browser opens: the dashboard and BullMQ's admin view." },
];

export interface DocumentSettings {
  /** The API's version (package.json). */
  version: string;
  readsProtected: boolean;
  writesProtected: boolean;
}

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, object> };
} & Record<string, unknown>;

export interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { description: string; required: boolean; content: Record<string, MediaObject> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: JsonSchema }> }>;
  security: Array<Record<string, string[]>>;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface MediaObject {
  schema: JsonSchema;
  examples?: Record<string, { summary: string; value: unknown }>;
}

export function openApiDocument(routes: readonly ApiRoute[], mounts: readonly MountedPath[], settings: DocumentSettings): OpenApiDocument {
  const components: Record<string, JsonSchema> = { ApiError: requestSchema(apiErrorSchema), ...sharedComponents() };
  const paths: Record<string, Record<string, Operation>> = {};
  const add = (path: string, method: string, operation: Operation) => {
    paths[openApiPath(path)] = { ...paths[openApiPath(path)], [method]: operation };
  };
  for (const route of routes) add(route.path, route.method, routeOperation(route, settings, components));
  for (const mount of mounts) add(mount.path, "get", mountOperation(mount, settings));
  return {
    openapi: OPENAPI_VERSION,
    jsonSchemaDialect: DIALECT,
    info: {
      title: "SGAN sweeps API",
      version: settings.version,
      description:
        "Hyperparameter sweeps of Semi-Supervised GAN training. Request parameters and bodies are described by the JSON Schema of the zod schemas " +
        "that validate them; answers name their TypeScript type in libs/results/api.ts. Every error is JSON { error, issues? }.",
    },
    tags: TAGS,
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: "an API token (SGAN_API_TOKENS, SGAN_READ_TOKENS): README, API tokens" },
        basicToken: { type: "http", scheme: "basic", description: "any user name, an API token as the password (for browsers)" },
      },
    },
  };
}

function routeOperation(route: ApiRoute, settings: DocumentSettings, components: Record<string, JsonSchema>): Operation {
  const parameters = [
    ...parametersOf(route.params, "path"),
    ...parametersOf(route.query, "query"),
    ...parametersOf(route.headers, "header"),
    ...(route.queryToken && settings.readsProtected ? [TOKEN_PARAMETER] : []),
  ];
  const protectedBy = security(route.access, settings, false);
  return {
    operationId: operationId(route.method, route.path),
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: requestBody(route.body, components) } : {}),
    responses: responses(route, protectedBy.length > 0),
    security: protectedBy,
  };
}

function mountOperation(mount: MountedPath, settings: DocumentSettings): Operation {
  const protectedBy = security(mount.access, settings, true);
  return {
    operationId: operationId("get", mount.path),
    tags: [mount.tag],
    summary: mount.summary,
    description: mount.description,
    responses: {
      200: { description: "the page", content: { [mount.contentType]: {} } },
      ...(protectedBy.length > 0 ? { 401: errorResponse("no API token, or a wrong one"), 403: errorResponse("a read-only token") } : {}),
    },
    security: protectedBy,
  };
}

const TOKEN_PARAMETER: Parameter = {
  name: "token",
  in: "query",
  required: false,
  description: "the API token, where a client cannot set the Authorization header (an EventSource, an <img>); URLs can end up in proxy logs",
  schema: { type: "string", minLength: 1 },
};

function parametersOf(spec: ParameterSpec | undefined, place: Parameter["in"]): Parameter[] {
  if (!spec) return [];
  return propertySchemas(spec.schema).map(({ name, required, schema }) => {
    const { description, ...rest } = schema as JsonSchema & { description?: string };
    return {
      name,
      in: place,
      required: place === "path" || required,
      ...(description ? { description } : {}),
      schema: rest,
      ...(spec.example && name in spec.example ? { example: spec.example[name] } : {}),
    };
  });
}

function requestBody(body: BodySpec, components: Record<string, JsonSchema>): NonNullable<Operation["requestBody"]> {
  const content: Record<string, MediaObject> = {};
  for (const [mediaType, media] of Object.entries(body.content)) content[mediaType] = mediaObject(media, components);
  return { description: body.description, required: body.required, content };
}

function mediaObject(media: MediaSpec, components: Record<string, JsonSchema>): MediaObject {
  const structured = componentRef(media, components);
  // JSON Schema 2020-12's own words for "a string whose YAML content is": contentMediaType + contentSchema.
  const schema = media.text ? { type: "string", contentMediaType: "application/yaml", contentSchema: structured } : structured;
  return { schema, ...(media.examples ? { examples: media.examples } : {}) };
}

/** A $ref to the schema's component when it is named (kept once), else the schema inline. */
function componentRef(media: MediaSpec, components: Record<string, JsonSchema>): JsonSchema {
  if (media.component === undefined) return requestSchema(media.schema);
  components[media.component] ??= requestSchema(media.schema);
  return { $ref: `#/components/schemas/${media.component}` };
}

function responses(route: ApiRoute, authenticated: boolean): Operation["responses"] {
  const answers: Operation["responses"] = {};
  for (const [status, { description, contentType = "application/json" }] of Object.entries(route.responses)) {
    answers[status] = Number(status) >= 400 ? errorResponse(description) : { description, content: { [contentType]: {} } };
  }
  if (authenticated) {
    answers[401] = errorResponse("no API token, or a wrong one (header WWW-Authenticate)");
    if (route.access === "write") answers[403] = errorResponse("a read-only token used for a write");
  }
  return answers;
}

function errorResponse(description: string): Operation["responses"][string] {
  return { description, content: { "application/json": { schema: { $ref: "#/components/schemas/ApiError" } } } };
}

function security(access: RouteAccess, settings: DocumentSettings, browser: boolean): Operation["security"] {
  const needed = (access === "read" && settings.readsProtected) || (access === "write" && settings.writesProtected);
  if (!needed) return [];
  return browser ? [{ bearerToken: [] }, { basicToken: [] }] : [{ bearerToken: [] }];
}

/** `post /api/sweeps/:id/cancel` -> `postApiSweepsByIdCancel`. */
function operationId(method: string, path: string): string {
  const words = path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => (segment.startsWith(":") ? `By${capitalize(segment.slice(1))}` : segment.split(/[^A-Za-z0-9]+/).map(capitalize).join("")));
  return method + (words.length > 0 ? words.join("") : "Root");
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
