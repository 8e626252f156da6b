// Text from users and servers on a terminal: every character a terminal acts on, or that disguises text,
// comes out as a visible escape (libs/terminal-text), in the CLI's tables, lines, JSON and log lines.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { table } from "../../apps/cli/sweeps/table.ts";
import { WatchView, type WatchedSweep } from "../../apps/cli/sweeps/watch-view.ts";
import { escaped, printable, terminalSafeJson } from "../../libs/terminal-text/index.ts";
import { ACTED_ON_CODES, hasActedOn, HOSTILE, HOSTILE_SHOWN } from "../support/hostile-text.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
describe("printable", () => {
  test("writes escapes, colours, carriage returns, newlines, C1 and bidi overrides as visible escapes", () => {
    assert.equal(printable(HOSTILE), HOSTILE_SHOWN);
  });

  test("leaves no character a terminal acts on, and names each one", () => {
    for (const code of ACTED_ON_CODES) {
      const shown = printable(`a${String.fromCodePoint(code)}b`);
      assert.ok(!hasActedOn(shown), `U+${code.toString(16)} came out as ${JSON.stringify(shown)}`);
      assert.match(shown, /^a\\(x[0-9a-f]{2}|u[0-9a-f]{4}|u\{[0-9a-f]+\}|[nrt])b$/, `U+${code.toString(16)}`);
    }
  });

  test("lone surrogates are escaped; pairs, accents, CJK and backslashes stay", () => {
    assert.equal(printable("a\ud800b\udc00c"), "a\\ud800b\\udc00c");
    const ordinary = "Ünïcödé 日本語 😀 C:\\runs\\x1b lr=2e-4 ∑";
    assert.equal(printable(ordinary), ordinary);
  });

  test("the escaped tag escapes the values, never the template's own newlines", () => {
    assert.equal(escaped`sweep ${HOSTILE}: ${3} runs\n`, `sweep ${HOSTILE_SHOWN}: 3 runs\n`);
  });
});

describe("terminalSafeJson", () => {
  test("is the same JSON value, with what JSON.stringify leaves raw (DEL, C1, bidi, separators) escaped", () => {
    const value = { name: HOSTILE, other: "\u007f\u2028\u{e0001}\ud800 ok 😀", list: [1, "x"] };
    const raw = JSON.stringify(value, null, 2);
    assert.ok(hasActedOn(raw), "JSON.stringify alone leaves some raw");
    const safe = terminalSafeJson(raw);
    assert.ok(!hasActedOn(safe), safe);
    assert.deepEqual(JSON.parse(safe), value);
    assert.match(safe, /\\u009b2J\\u202eevil/);
  });
});

describe("CLI writers", () => {
  test("table() shows every cell escaped, so rows stay rows and columns stay aligned", () => {
    const text = table([{ header: "NAME" }, { header: "N", align: "right" }], [[HOSTILE, "1"], ["plain", "22"]]);
    const lines = text.split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines[1], `${HOSTILE_SHOWN}   1`);
    assert.equal(lines[2].indexOf("22"), lines[1].length - 2, "the right column lines up");
    assert.ok(!hasActedOn(text));
  });

  test("the watch view escapes what the API said, on a terminal and in logs", () => {
    const sweep: WatchedSweep = {
      name: HOSTILE,
      status: "active",
      counts: { queued: 0, running: 1, completed: 0, failed: 0, cancelled: 0, diverged: 0, pruned: 0 },
      runs: [{ id: "r0", index: 0, status: "running", params: { epochs: 3 }, hyperparameters: { batchSize: 64, lr: 0.0002 }, finalTestAccuracy: null }],
    };
    for (const isTTY of [true, false]) {
      let screen = "";
      const view = new WatchView({ isTTY, columns: 300, write: (text: string) => (screen += text) });
      view.sync(sweep);
      view.status({ runId: "r0", status: "running", workerId: "w\u001b[2Jorker" });
      view.status({ runId: "r0", status: "failed", workerId: null, reason: "data: \u001b[2Jbad file" });
      const ours = screen.replace(/\x1b\[\d+A\r\x1b\[J/g, "");
      assert.ok(!hasActedOn(ours), `${isTTY ? "terminal" : "log"}: ${JSON.stringify(screen)}`);
      assert.ok(screen.includes(`sweep ${HOSTILE_SHOWN} (active)`));
      assert.ok(screen.includes("on w\\x1b[2Jorker"));
      assert.ok(screen.includes("failed, test acc - - data: \\x1b[2Jbad file"), "the reason an event gives, escaped");
    }
  });

  test("log lines (pino JSON) carry C1 and bidi characters escaped", () => {
    const script = `import("./libs/log/index.ts").then(({ createLogger }) => createLogger("t").info({ name: ${JSON.stringify(HOSTILE)} }, "m\\u009b"))`;
    const { stdout, status } = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.equal(status, 0);
    assert.ok(!hasActedOn(stdout), stdout);
    assert.equal(JSON.parse(stdout).name, HOSTILE);
  });
});
