// The API's routes, each stated once: what createApp mounts and what the OpenAPI document describes
// come from the same entries, with the zod schemas that validate each request.
import type { RequestHandler } from "express";
import type { z } from "zod";
import type { RouteAccess } from "./auth.ts";

export type HttpMethod = "get" | "post" | "patch" | "delete";

/** One request media type: the schema its content is validated with, and examples that pass it. */
export interface MediaSpec {
  schema: z.ZodType;
  /** Kept once in the document under this name, when several media types share the schema. */
  component?: string;
  /** Described as text (YAML or JSON) whose parsed content the schema validates. */
  text?: boolean;
  examples?: Record<string, { summary: string; value: unknown }>;
}

export interface BodySpec {
  description: string;
  required: boolean;
  content: Record<string, MediaSpec>;
}

/** Examples of the parameters in one place (path, query or header), each value as its schema reads it. */
export type ParameterExamples = Record<string, unknown>;

export interface ParameterSpec<T extends z.ZodObject = z.ZodObject> {
  schema: T;
  example?: ParameterExamples;
}

export interface ResponseSpec {
  description: string;
  /** Default application/json. */
  contentType?: string;
}

export interface ApiRoute {
  method: HttpMethod;
  /** The Express pattern, from the root: `/api/sweeps/:id`. Also the route label of /metrics. */
  path: string;
  /** A group in the document: sweeps, runs, workers, operations, admin. */
  tag: string;
  summary: string;
  description?: string;
  access: RouteAccess;
  /** Where `?token=` may stand in for the header (what browsers load without fetch). */
  queryToken?: boolean;
  /** Answered from the short-lived read cache. */
  cached?: boolean;
  params?: ParameterSpec;
  query?: ParameterSpec;
  headers?: ParameterSpec;
  body?: BodySpec;
  responses: Record<number, ResponseSpec>;
  /** Path parameters are named segments (`:id`), never wildcards: each is one string. */
  handler: RequestHandler<Record<string, string>>;
}

/**
 * A path mounted as a whole (app.use): BullMQ's admin view and the dashboard's files. The document
 * describes its entry page; what lies below it belongs to whoever serves it.
 */
export interface MountedPath {
  path: string;
  tag: string;
  summary: string;
  description: string;
  access: RouteAccess;
  contentType: string;
  handlers: RequestHandler[];
}

/** `/api/runs/:id/samples/:file` as OpenAPI writes it: `/api/runs/{id}/samples/{file}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}
