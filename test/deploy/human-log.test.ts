// The text log format a person gets on a terminal (libs/log): which format applies, and that a record
// becomes one short line with users' text escaped.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pino } from "pino";
import { formatHumanLine } from "../../libs/log/human-format.ts";
import { LogFormatError, logFormat } from "../../libs/log/index.ts";
import { HOSTILE, HOSTILE_SHOWN, hasActedOn } from "../support/hostile-text.ts";

/** What a real pino logger writes for one call, through the formatter. */
function humanLine(write: (log: pino.Logger) => void): string {
  let out = "";
  write(pino({ name: "api" }, { write: (line: string) => void (out += formatHumanLine(line)) }));
  return out;
}

describe("human log lines", () => {
  test("LOG_FORMAT decides; unset, a terminal gets text and anything else JSON", () => {
    assert.equal(logFormat({}, true), "text");
    assert.equal(logFormat({}, false), "json");
    assert.equal(logFormat({ LOG_FORMAT: "json" }, true), "json");
    assert.equal(logFormat({ LOG_FORMAT: "text" }, false), "text");
    assert.throws(() => logFormat({ LOG_FORMAT: "pretty" }, true), (error: unknown) => error instanceof LogFormatError && /LOG_FORMAT must be "json" or "text", not "pretty"/.test(error.message));
  });

  test("time, component, message, plain fields; nested fields and repeats of the message left to JSON", () => {
    const line = humanLine((log) => log.info({ url: "http://127.0.0.1:3000", device: "wasm simd", skipped: [{ backend: "webgpu" }], threads: 2 }, "compute backend: wasm simd"));
    assert.match(line, /^\d\d:\d\d:\d\d api      compute backend: wasm simd url=http:\/\/127\.0\.0\.1:3000 threads=2\n$/);
  });

  test("warnings and errors say so, with their fields and the error's stack", () => {
    assert.match(humanLine((log) => log.warn({ retry: { inMs: 5 } }, "queue connection error")), /api {6}warning: queue connection error retry=\{"inMs":5\}\n$/);
    const error = humanLine((log) => log.error({ err: new Error("it broke") }, "unclean stop"));
    assert.match(error, /api {6}error: unclean stop err="it broke"\n {4}at /);
  });

  test("control characters, bidi overrides and line breaks from users' text are shown escaped", () => {
    const line = humanLine((log) => log.info({ sweep: HOSTILE }, `submitted ${HOSTILE}`));
    assert.equal(line.split("\n").length, 2, "one line");
    assert.ok(!hasActedOn(line), line);
    assert.ok(line.includes(`submitted ${HOSTILE_SHOWN}`), line);
  });
});
