// GET /api/openapi.json against the real API (tokens on, reads protected): a valid OpenAPI 3.1
// document (checked against the specification's own JSON Schema), that describes every route the
// Express app serves (its router stack walked) and nothing else, whose security is what the API
// enforces, and whose every example validates against its schema (Ajv, JSON Schema 2020-12) and is
// accepted by the API itself. GET /api/docs renders it with nothing to load.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { parse as parseYaml } from "yaml";
import { openApiPath } from "../../apps/api/route-table.ts";
import type { MediaObject, OpenApiDocument, Operation, Parameter } from "../../apps/api/openapi/document.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_openapi_test";
const WRITE = "openapi-write-token";
const auth = { Authorization: `Bearer ${WRITE}` };

/** Router layers that are middleware, not routes: the request timer, the /api token check, the 404 and error answers, and each mount's own steps. */
const MIDDLEWARE_PATHS = new Set(["/", "/api"]);

interface Entry {
  path: string;
  method: string;
  operation: Operation;
}

describe("the OpenAPI document", { timeout: 60_000 }, () => {
  let api: TestApi;
  let document: OpenApiDocument;
  let entries: Entry[];
  before(async () => {
    api = await startTestApi(DATABASE, { writeTokens: WRITE, readRequired: "1" });
    const answer = await call(api.url, "/api/openapi.json");
    assert.equal(answer.status, 200, "open without a token: it holds no data");
    document = answer.body;
    entries = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation: operation as Operation })),
    );
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    assert.equal(document.openapi, "3.1.0");
    const result = await new Validator().validate(document);
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    const ids = entries.map(({ operation }) => operation.operationId);
    assert.equal(new Set(ids).size, ids.length, "operation ids are unique");
  });

  it("describes every route of the Express app's router stack, and nothing the app does not serve", () => {
    const served = new Set<string>();
    for (const layer of api.app.router.stack as unknown as Array<{ route?: { path: string; methods: Record<string, boolean> }; rawPath: string; name: string }>) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((method) => method !== "_all")) served.add(`${method} ${openApiPath(layer.route.path)}`);
      } else if (!MIDDLEWARE_PATHS.has(layer.rawPath) || layer.name === "serveStatic") {
        served.add(`get ${layer.rawPath}`);
      }
    }
    const described = new Set(entries.map(({ method, path }) => `${method} ${path}`));
    assert.deepEqual([...served].filter((route) => !described.has(route)), [], "served but not described");
    assert.deepEqual([...described].filter((route) => !served.has(route)), [], "described but not served");
    for (const route of ["get /healthz", "get /readyz", "get /metrics", "get /api/openapi.json", "post /api/sweeps", "get /api/runs/{id}/samples/{file}", "get /admin/queues"]) {
      assert.ok(described.has(route), route);
    }
  });

  it("states the security the API enforces: each operation that needs a token is refused without one, and only those", async () => {
    for (const { path, method, operation } of entries) {
      const { status } = await send(path, method, operation, {});
      const needsToken = operation.security.length > 0;
      assert.equal(status === 401, needsToken, `${method.toUpperCase()} ${path}: ${status} without a token, security ${JSON.stringify(operation.security)}`);
    }
    const metrics = entries.find(({ path }) => path === "/metrics")!.operation;
    assert.deepEqual(metrics.security, [{ bearerToken: [] }], "reads are protected here, so /metrics is");
  });

  it("every example validates against its schema in the document", () => {
    const validate = schemaValidator(document);
    let checked = 0;
    for (const { path, method, operation } of entries) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.example === undefined) continue;
        validate(parameter.schema, parameter.example, `${method} ${path} ${parameter.in} ${parameter.name}`);
        checked++;
      }
      for (const [mediaType, media] of Object.entries(operation.requestBody?.content ?? {})) {
        for (const [name, example] of Object.entries(media.examples ?? {})) {
          const where = `${method} ${path} ${mediaType} example ${name}`;
          validate(media.schema, example.value, where);
          if (media.schema.contentSchema) validate(media.schema.contentSchema as object, parseYaml(example.value as string), `${where}, its YAML content`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 15, `${checked} examples checked`);
  });

  it("and the API accepts it: built from the examples, no request is refused as bad input", async () => {
    for (const { path, method, operation } of entries) {
      const answer = await send(path, method, operation, auth);
      assert.ok(![400, 401, 403, 415, 422].includes(answer.status), `${method.toUpperCase()} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.doesNotMatch(String(answer.body?.error ?? ""), /^no route/, `${method.toUpperCase()} ${path} is served`);
    }
    const submit = document.paths["/api/sweeps"].post;
    for (const [mediaType, media] of Object.entries(submit.requestBody!.content)) {
      for (const example of Object.values(media.examples ?? {})) {
        const body = typeof example.value === "string" ? example.value : JSON.stringify(example.value);
        const dry = await call(api.url, "/api/sweeps?dryRun=1", { method: "POST", headers: { ...auth, "Content-Type": mediaType }, body });
        assert.equal(dry.status, 200, `${mediaType} ${example.summary}: ${JSON.stringify(dry.body)}`);
        assert.equal(dry.body.dryRun, true);
      }
    }
    assert.equal(await api.sweepCount(), 0, "examples were checked as dry runs: nothing stored");
  });

  it("GET /api/docs renders every operation and loads nothing: no script, no stylesheet, no image from anywhere", async () => {
    const response = await fetch(`${api.url}/api/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(response.headers.get("content-security-policy") ?? "", /^default-src 'none'/);
    const html = await response.text();
    for (const { operation } of entries) assert.ok(html.includes(`id="${operation.operationId}"`), operation.operationId);
    assert.doesNotMatch(html, /<script|<img|<iframe|@import|url\(/i);
    assert.deepEqual([...html.matchAll(/<link\b[^>]*>/gi)].map(([link]) => link), ['<link rel="icon" href="data:,">'], "an empty icon, so that no /favicon.ico is asked for");
  });

  /** The request an operation's examples make: path parameters filled in, query and headers from their examples, the first body example. */
  function send(path: string, method: string, operation: Operation, headers: Record<string, string>) {
    const parameters = operation.parameters ?? [];
    const inPlace = (place: Parameter["in"]) => parameters.filter((parameter) => parameter.in === place && parameter.example !== undefined);
    const url = new URL(path.replace(/\{(\w+)\}/g, (_whole, name: string) => String(parameters.find((parameter) => parameter.name === name)!.example)), api.url);
    for (const parameter of inPlace("query")) url.searchParams.set(parameter.name, String(parameter.example));
    const sent: Record<string, string> = { ...headers, ...Object.fromEntries(inPlace("header").map((parameter) => [parameter.name, String(parameter.example)])) };
    const [mediaType, media] = (Object.entries(operation.requestBody?.content ?? {})[0] ?? []) as [string?, MediaObject?];
    const example = media?.examples ? Object.values(media.examples)[0]?.value : undefined;
    if (mediaType && example !== undefined) sent["Content-Type"] = mediaType;
    const body = example === undefined ? undefined : typeof example === "string" ? example : JSON.stringify(example);
    if (path === "/api/events") return streamStatus(url, sent);
    if (path === "/admin/queues" && headers.Authorization) sent.Authorization = `Basic ${Buffer.from(`admin:${WRITE}`).toString("base64")}`;
    return call(api.url, url.pathname + url.search, { method: method.toUpperCase(), headers: sent, body });
  }
});

/** The status of an event stream's answer; the stream is closed at once. */
async function streamStatus(url: URL, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const body = response.status === 200 ? null : await response.json();
  controller.abort();
  return { status: response.status, body };
}

/** Validates values against schemas of `document` (their $refs into its components resolved), with the formats checked. */
function schemaValidator(document: OpenApiDocument): (schema: object, value: unknown, where: string) => void {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  formats.default(ajv);
  const toComponents = (schema: object) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components#/$defs/'));
  ajv.addSchema({ $id: "components", $defs: toComponents(document.components.schemas) });
  return (schema, value, where) => {
    const check = ajv.compile(toComponents(schema));
    assert.ok(check(value), `${where}: ${ajv.errorsText(check.errors)}`);
  };
}
