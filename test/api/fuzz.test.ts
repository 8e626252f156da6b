// Malformed requests against every write endpoint of the real API, generated from a seed (FUZZ_SEED
// to reproduce a failure): wrong types, huge numbers, NaN and Infinity, deep nesting, unknown fields,
// oversized bodies, wrong content types, broken YAML, random bytes, YAML alias bombs, bad sweep ids,
// strings PostgreSQL cannot store (NUL, lone surrogates), YAML tags outside the core schema, inputs
// with thousands of mistakes, and bodies trickled in byte by byte.
// Every answer must be a short 4xx whose JSON names the problem; the API stays up and stores nothing.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { BODY_LIMIT } from "../../apps/api/app.ts";
import { createRng, type Rng } from "../../libs/random/index.ts";
import { call, dropTestDatabase, startTestApi, TINY_SWEEP, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_fuzz_test";
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const PER_ENDPOINT = Number(process.env.FUZZ_CASES ?? 1200);
const LIMIT_BYTES = Number.parseInt(BODY_LIMIT, 10) * 1024;
/** An error answer is read by a person: a few kilobytes, whatever was sent. */
const MAX_ANSWER_BYTES = 32 * 1024;
/** The fuzzed API's request timeout: a trickled body is cut off after this long. */
const REQUEST_TIMEOUT_MS = 3_000;

interface Case {
  kind: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];
const JSON_TYPE = { "Content-Type": "application/json" };
const YAML_TYPE = { "Content-Type": "application/yaml" };

const base = (): Record<string, any> => structuredClone({ ...TINY_SWEEP, strategy: "random", samples: 2, parameters: { lr: { loguniform: [1e-4, 1e-2] }, batchSize: { choice: [32, 64] } } });

/** A value of the wrong type for a field of `type`, or (for strings) one out of bounds. */
function wrongValue(rng: Rng, type: "number" | "string" | "object" | "any" = "any"): unknown {
  const values: Array<() => unknown> = [() => true, () => null, () => [], () => [1, "two", null], () => ({ nested: { deeper: [1] } })];
  if (type !== "string") values.push(() => "text", () => "", () => "<script>alert(1)</script>", () => "1e400", () => "x".repeat(10_000));
  if (type === "string") values.push(() => "", () => "x".repeat(5_000 + rng.int(100_000)), () => 42, () => 1e308, () => -0);
  if (type === "object") values.push(() => 2 ** 53 + 1, () => -1e308, () => "lr: 0.1");
  if (type === "any") values.push(() => ({}), () => -1, () => 0.5, () => 2 ** 53 + 1, () => 1e308);
  return pick(rng, values)();
}

type FieldType = "number" | "string" | "object";
const FIELD_PATHS: ReadonlyArray<readonly [FieldType, ...string[]]> = [
  ["string", "name"], ["string", "strategy"], ["number", "seed"], ["number", "samples"], ["number", "repeats"], ["number", "maxRuns"],
  ["number", "priority"], ["object", "fixed"], ["object", "parameters"],
  ["number", "fixed", "epochs"], ["string", "fixed", "dataset"], ["number", "fixed", "imgSize"], ["number", "fixed", "limit"],
  ["object", "parameters", "lr"], ["object", "parameters", "batchSize"], ["object", "parameters", "lr", "loguniform"], ["object", "parameters", "batchSize", "choice"],
];

function setPath(target: Record<string, any>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== "object") node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

function nested(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

function randomBytes(rng: Rng, length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, () => rng.int(256));
}

function yamlOf(config: Record<string, any>): string {
  return JSON.stringify(config, null, 1).replace(/[{}]/g, "").replace(/",?\n/g, '"\n');
}

/** The sweep-submit cases: each a config or body that is wrong in one generated way. */
const SUBMIT_KINDS: Record<string, (rng: Rng) => Omit<Case, "path" | "kind">> = {
  "wrong type": (rng) => {
    const config = base();
    const [type, ...path] = pick(rng, FIELD_PATHS);
    setPath(config, path, wrongValue(rng, type));
    return { headers: JSON_TYPE, body: JSON.stringify(config) };
  },
  "huge number": (rng) => {
    const config = base();
    const field = pick(rng, [["maxRuns"], ["samples"], ["repeats"], ["seed"], ["priority"], ["fixed", "epochs"], ["fixed", "limit"], ["parameters", "batchSize"], ["parameters", "lr", "points"]]);
    const literal = pick(rng, ["1e400", "-1e400", "9".repeat(400), `-${"9".repeat(400)}`, "1e20", "-1e20", "100000000000000000000000"]);
    setPath(config, field, 0);
    return { headers: JSON_TYPE, body: JSON.stringify(config).replace(`"${field[field.length - 1]}":0`, `"${field[field.length - 1]}":${literal}`) };
  },
  "NaN or Infinity": (rng) => {
    const literal = pick(rng, ["NaN", "Infinity", "-Infinity", ".nan", ".inf", "-.inf", ".NaN"]);
    const field = pick(rng, ["seed", "samples", "maxRuns", "priority"]);
    const yaml = literal.startsWith(".");
    if (yaml) return { headers: YAML_TYPE, body: `name: nan-test\n${field}: ${literal}\nfixed: { epochs: 1 }\n` };
    return { headers: pick(rng, [JSON_TYPE, YAML_TYPE]), body: `{"name": "nan-test", "${field}": ${literal}}` };
  },
  "too many runs or epochs": (rng) => {
    const config = base();
    pick(rng, [
      () => (config.fixed.epochs = 1001 + rng.int(1e6)),
      () => (config.maxRuns = 1001 + rng.int(1e6)),
      () => Object.assign(config, { strategy: "grid", maxRuns: 1000, parameters: { lr: { choice: Array.from({ length: 40 }, (_, i) => 1e-4 * (i + 1)) }, batchSize: { choice: Array.from({ length: 30 }, (_, i) => 2 + i) } } }),
      () => Object.assign(config, { samples: 1000, repeats: 20, maxRuns: 1000 }),
      () => Object.assign(config, { strategy: "grid", parameters: { lr: { loguniform: [1e-4, 1e-2], points: 100 }, b1: { uniform: [0, 0.9], points: 100 } } }),
    ])();
    return { headers: JSON_TYPE, body: JSON.stringify(config) };
  },
  "deep nesting": (rng) => {
    const depth = pick(rng, [100, 1000, 10_000, 50_000]);
    const where = rng.int(4);
    if (where === 0) return { headers: JSON_TYPE, body: nested(depth, "[", "]", "1") };
    if (where === 1) return { headers: JSON_TYPE, body: `{"name":"deep","fixed":${nested(depth, '{"a":', "}", "1")}}` };
    if (where === 2) return { headers: YAML_TYPE, body: `name: deep\nparameters: ${nested(depth, "[", "]", "1")}\n` };
    return { headers: YAML_TYPE, body: `name: deep\nfixed: ${nested(depth, "{a: ", "}", "1")}\n` };
  },
  "unknown field": (rng) => {
    const config = base();
    const key = pick(rng, ["colour", "__proto__", "constructor", "prototype", "toString", "lr", "epochs", "$where", "fixed.epochs", "😀", "x".repeat(5000)]);
    const target = pick(rng, [[], ["fixed"], ["parameters"], ["parameters", "lr"]]);
    let node = config;
    for (const part of target) node = node[part];
    if (key in node && Object.hasOwn(node, key)) return { headers: JSON_TYPE, body: JSON.stringify({ ...config, [`${key}-unknown`]: 1 }) };
    const text = JSON.stringify(config);
    // __proto__ has to be written into the text: an object literal would not keep it as a key.
    const inner = JSON.stringify(node);
    return { headers: pick(rng, [JSON_TYPE, YAML_TYPE]), body: text.replace(inner, inner.replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(wrongValue(rng))},`)) };
  },
  "oversized body": (rng) => {
    const size = LIMIT_BYTES + 1 + rng.int(LIMIT_BYTES);
    const body = rng.int(2) === 0 ? JSON.stringify({ name: "big", pad: "x".repeat(size) }) : `name: big\npad: ${"y".repeat(size)}\n`;
    return { headers: rng.int(2) === 0 ? JSON_TYPE : YAML_TYPE, body };
  },
  "wrong content type": (rng) => {
    const type = pick(rng, ["application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "image/png", "application/octet-stream", "", "application/json; charset=latin-9", "text/plain; charset=utf-42", "application/yaml; charset=ebcdic"]);
    const headers: Record<string, string> = type === "" ? {} : { "Content-Type": type };
    const text = rng.int(2) === 0 ? JSON.stringify(base()) : "name=x&maxRuns=5";
    // Bytes: fetch gives a string body a text/plain type of its own.
    return { headers, body: type === "" ? new TextEncoder().encode(text) : text };
  },
  "broken YAML": (rng) => {
    const text = yamlOf(base());
    const chars = [...text];
    for (let i = 1 + rng.int(6); i > 0; i--) {
      const at = rng.int(chars.length);
      chars.splice(at, rng.int(3), pick(rng, [":", "- ", "\t", "{", "[", "]", "'", '"', "&a", "*a", "!!binary", "%YAML 9.9", "---", "\n  ", "? ", "|", ">", "#", "!<tag:x>", "\u0000", "\ufffe"]));
    }
    return { headers: pick(rng, [YAML_TYPE, { "Content-Type": "text/plain" }]), body: chars.join("") };
  },
  "random bytes": (rng) => ({
    headers: pick(rng, [JSON_TYPE, YAML_TYPE, { "Content-Type": "text/plain" }]),
    body: randomBytes(rng, 1 + rng.int(4096)),
  }),
  "YAML alias bomb": (rng) => {
    const levels = 5 + rng.int(6);
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(",")}]`);
    const where = rng.int(3);
    if (where === 0) lines.push(`name: *a${levels}`);
    else if (where === 1) lines.push("name: bomb", `fixed: *a${levels}`);
    else lines.push("name: bomb", `parameters: { lr: { choice: *a${levels} } }`);
    return { headers: pick(rng, [YAML_TYPE, { "Content-Type": "text/plain" }]), body: lines.join("\n") };
  },
  "unstorable text": (rng) => {
    // JSON escapes, as text: JSON.parse turns them into the characters themselves.
    const bad = pick(rng, [String.raw`a\u0000b`, String.raw`\u0000`, String.raw`x\ud800`, String.raw`\udfff`, String.raw`\ud83d`, String.raw`ok\u0000\ud800`]);
    const config = base();
    const where = rng.int(4);
    if (where === 0) config.name = JSON.parse(`"${bad}"`);
    else if (where === 1) config.fixed.dataset = JSON.parse(`"${bad}"`);
    else if (where === 2) config.parameters.variant = { choice: ["improved", JSON.parse(`"${bad}"`)] };
    else config.fixed[JSON.parse(`"${bad}"`)] = 1;
    // YAML spells the same characters with its own escapes in double-quoted scalars.
    if (rng.int(3) === 0) return { headers: YAML_TYPE, body: `name: "${bad.replace(/\\u0000/g, "\\0")}"\nfixed: { epochs: 1 }\n` };
    return { headers: JSON_TYPE, body: JSON.stringify(config) };
  },
  "YAML tag": (rng) => {
    const tag = pick(rng, ["!!omap", "!!set", "!!binary", "!!timestamp", "!!pairs", "!local", "!<tag:example.com,2026:x>", "!!python/object"]);
    const body = pick(rng, [
      `name: tagged\nfixed: ${tag}\n  - epochs: 5\n  - limit: 64\n`,
      `name: tagged\nfixed: ${tag} { epochs: 2 }\n`,
      `name: ${tag} aGVsbG8=\nfixed: { epochs: 1 }\n`,
      `${tag}\nname: tagged\n`,
      `name: tagged\nparameters: { lr: { choice: ${tag} [0.1, 0.2] } }\n`,
    ]);
    return { headers: pick(rng, [YAML_TYPE, { "Content-Type": "text/plain" }]), body };
  },
  "huge issue list": (rng) => {
    const config = base();
    const count = pick(rng, [50, 900, 1_001, 20_000, 50_000]);
    const where = rng.int(3);
    if (where === 0) config.parameters.lr = { choice: Array.from({ length: count }, () => pick(rng, ["x", -1, true, null])) };
    else if (where === 1) Object.assign(config.fixed, Object.fromEntries(Array.from({ length: Math.min(count, 5_000) }, (_, i) => [`unknown${i}`, i])));
    else config.parameters.batchSize = { choice: Array.from({ length: Math.min(count, 1_000) }, (_, i) => -i) };
    return { headers: pick(rng, [JSON_TYPE, YAML_TYPE]), body: JSON.stringify(config) };
  },
  "wrong top level": (rng) => ({
    headers: pick(rng, [JSON_TYPE, YAML_TYPE]),
    body: pick(rng, ["null", "true", "42", '"text"', "[]", "[1,2]", "{}", " ", "\n\n", "- a\n- b\n", "~", "--- |\n  text\n", "0x10", "!!set {a, b}"]),
  }),
};

const UUIDISH = ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "%", "%zz", "..", "..%2f..%2fetc", "'; DROP TABLE \"Sweep\"; --", "%00", "12345678-1234-1234-1234-1234567890123", "ffffffff-ffff-ffff-ffff-ffffffffffff", "😀", "a".repeat(5000), "%E0%A4%A", "null", "undefined", "__proto__"];

/** The cancel cases: malformed or unknown sweep ids, with and without bodies. */
function cancelCase(rng: Rng): Case {
  const id = pick(rng, [
    () => pick(rng, UUIDISH),
    () => crypto.randomUUID().replace(/-/g, pick(rng, ["", "_", "--"])),
    () => Array.from(randomBytes(rng, 1 + rng.int(40)), (byte) => `%${byte.toString(16).padStart(2, "0")}`).join(""),
    () => crypto.randomUUID(),
    () => encodeURIComponent(String(wrongValue(rng))).slice(0, 2000),
  ])();
  const withBody = rng.int(3);
  const headers = withBody === 0 ? {} : pick(rng, [JSON_TYPE, YAML_TYPE, { "Content-Type": "application/xml" }]);
  const body = withBody === 0 ? undefined : pick(rng, [() => "{", () => JSON.stringify({ force: true }), () => nested(10_000, "[", "]", "1"), () => "x".repeat(LIMIT_BYTES + 10)])();
  return { kind: "cancel", path: `/api/sweeps/${id}/cancel`, headers, body };
}

function submitCase(rng: Rng): Case {
  const kinds = Object.keys(SUBMIT_KINDS);
  // Oversized bodies are slow to send; a few dozen show the limit holds.
  let kind = pick(rng, kinds);
  if (kind === "oversized body" && rng.int(4) !== 0) kind = "wrong type";
  return { kind, path: "/api/sweeps", ...SUBMIT_KINDS[kind](rng) };
}

/** Sends `body` one byte every `everyMs` on a raw socket; resolves to what the server answered before closing. */
function trickle(url: string, body: string, everyMs: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let answer = "";
    let sent = 0;
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST /api/sweeps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    });
    const drip = setInterval(() => {
      if (sent < body.length && !socket.destroyed) socket.write(body[sent++]);
    }, everyMs);
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(drip);
      resolve(answer);
    });
  });
}

interface Failure {
  index: number;
  kind: string;
  problem: string;
  status: number;
  body: string;
  request: string;
}

async function send(api: TestApi, request: Case): Promise<{ status: number; body: any }> {
  try {
    const result = await call(api.url, request.path, { method: "POST", headers: request.headers, body: request.body });
    return result;
  } catch (error) {
    return { status: 0, body: `no answer: ${(error as Error).message} ${(error as { cause?: Error }).cause?.message ?? ""}` };
  }
}

async function fuzz(api: TestApi, cases: Case[]): Promise<{ failures: Failure[]; byKind: Map<string, number>; statuses: Map<number, number> }> {
  const failures: Failure[] = [];
  const byKind = new Map<string, number>();
  const statuses = new Map<number, number>();
  const messages = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const request = cases[index];
      byKind.set(request.kind, (byKind.get(request.kind) ?? 0) + 1);
      const { status, body } = await send(api, request);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const error = typeof body === "object" && body !== null ? body.error : undefined;
      if (typeof error === "string") {
        const headline = `${status} ${error.split("\n")[0].replace(/[0-9a-f-]{36}|'[^']*'|"[^"]*"|\d+/g, "_").slice(0, 90)}`;
        messages.set(headline, (messages.get(headline) ?? 0) + 1);
      }
      const problem =
        status === 0 ? "no answer"
        : status >= 500 ? "5xx"
        : status < 400 ? "accepted"
        : typeof error !== "string" || error.trim() === "" ? "no error message"
        : /internal error|call stack/i.test(error) ? "internal error"
        : JSON.stringify(body).length > MAX_ANSWER_BYTES ? "huge answer"
        : (body.issues?.length ?? 0) > 21 ? "uncapped issue list"
        : null;
      if (problem) {
        const shown = typeof request.body === "string" ? request.body.slice(0, 200) : request.body ? `<${request.body.length} bytes>` : "";
        failures.push({ index, kind: request.kind, problem, status, body: JSON.stringify(body).slice(0, 300), request: `${request.path.slice(0, 120)} ${JSON.stringify(request.headers)} ${shown}` });
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  if (process.env.FUZZ_VERBOSE) console.log([...messages].sort((a, b) => b[1] - a[1]).map(([text, n]) => `  ${n} x ${text}`).join("\n"));
  return { failures, byKind, statuses };
}

/** The failures grouped by kind and problem, two examples each. */
function report(failures: Failure[]): string {
  const groups = new Map<string, Failure[]>();
  for (const failure of failures) {
    const group = `${failure.kind}: ${failure.problem}`;
    groups.set(group, [...(groups.get(group) ?? []), failure]);
  }
  return `seed ${SEED}: ${failures.length} bad answers\n${[...groups]
    .map(([group, members]) => `${group} x${members.length}\n${members.slice(0, 2).map((failure) => `  #${failure.index} (${failure.status}) ${failure.body}\n     request: ${failure.request}`).join("\n")}`)
    .join("\n")}`;
}

describe(`fuzzing the write endpoints (seed ${SEED})`, { timeout: 300_000 }, () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(DATABASE, {}, { SGAN_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  it("without tokens configured, the API warns at start that writes are unauthenticated", () => {
    assert.match(api.logs(), /"level":40.*SGAN_API_TOKENS is not set: writes \(submit, cancel\) and \/admin\/queues are unauthenticated/);
  });

  it("a valid sweep is still accepted (the baseline the cases break)", async () => {
    const ok = await call(api.url, "/api/sweeps", { method: "POST", headers: JSON_TYPE, body: JSON.stringify(base()) });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    await api.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep" CASCADE`);
  });

  it("slow bodies: 20 clients trickling a valid sweep byte by byte each get a 408 at the timeout; nothing is stored", async () => {
    const rng = createRng(SEED ^ 0x5107);
    const sweepsBefore = await api.sweepCount();
    const answers = await Promise.all(Array.from({ length: 20 }, () => trickle(api.url, JSON.stringify(base()), 100 + rng.int(400))));
    for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408/, answer.slice(0, 200));
    assert.equal(await api.sweepCount(), sweepsBefore, "nothing stored");
    const health = await call(api.url, "/healthz");
    assert.equal(health.status, 200, JSON.stringify(health.body));
  });

  for (const [endpoint, make] of [["POST /api/sweeps", submitCase], ["POST /api/sweeps/:id/cancel", cancelCase]] as const) {
    it(`${PER_ENDPOINT} malformed requests to ${endpoint}: 4xx naming the problem, nothing stored, still up`, async () => {
      const rng = createRng(SEED ^ (endpoint.length * 7919));
      const cases = Array.from({ length: PER_ENDPOINT }, () => make(rng));
      const sweepsBefore = await api.sweepCount();
      const { failures, byKind, statuses } = await fuzz(api, cases);
      console.log(`${endpoint}: ${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(", ")}; statuses ${[...statuses].sort().map(([s, n]) => `${s}x${n}`).join(" ")}`);
      assert.equal(failures.length, 0, report(failures));
      assert.equal(await api.sweepCount(), sweepsBefore, "nothing stored");
      assert.equal(await api.ctx.db.run.count(), 0, "no runs stored");
      const health = await call(api.url, "/healthz");
      assert.equal(health.status, 200, JSON.stringify(health.body));
    });
  }
});
