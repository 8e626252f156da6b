// How exports write numbers and text: float32Text is the shortest decimal of the same float32 (checked
// against every shorter precision on random float32 values), CSV is RFC 4180 with no raw control character.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRng } from "../../libs/random/index.ts";
import { float32Text, toCsv, toExportJson, type ExportTable } from "../../libs/results/index.ts";
import { csvObjects, parseCsv } from "../support/csv.ts";

describe("export numbers", () => {
  it("float32Text reads back as the same float32, and no shorter decimal does", () => {
    const rng = createRng(7);
    const values = [0.09699999999999998, 0.1, 1 / 3, 2.5e-7, 123456.789, -0.75, 3.4e38, 1e-40, 97 / 1000];
    for (let i = 0; i < 2000; i++) values.push(Math.fround((rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 12 - 6)));
    for (const value of values) {
      const text = float32Text(value);
      assert.equal(Math.fround(Number(text)), Math.fround(value), `${value} -> ${text}`);
      const digits = text.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "").length;
      if (digits > 1) assert.notEqual(Math.fround(Number(Math.fround(value).toPrecision(digits - 1))), Math.fround(value), `${text} is not the shortest`);
    }
    assert.equal(float32Text(0.09699999999999998), "0.097");
    assert.equal(float32Text(1 / 3), "0.33333334");
  });

  it("figure columns become float32 text, parameters keep float64, integers stay", () => {
    const table: ExportTable = {
      columns: [{ name: "lr", kind: "parameter" }, { name: "acc", kind: "figure" }, { name: "epoch", kind: "integer" }],
      rows: [[0.00012345678901234, 0.09699999999999998, 16777217], [null, Number.NaN, 1]],
    };
    assert.equal(toCsv(table), "lr,acc,epoch\r\n0.00012345678901234,0.097,16777217\r\n,,1\r\n");
    assert.deepEqual(toExportJson(table), [{ lr: 0.00012345678901234, acc: 0.097, epoch: 16777217 }, { lr: null, acc: null, epoch: 1 }]);
  });

  it("text is quoted per RFC 4180 and control characters become visible escapes", () => {
    const table: ExportTable = { columns: [{ name: "name, \"quoted\"", kind: "text" }], rows: [["a,b"], ["say \"hi\""], ["line\r\nbreak\u001b[31m\u202e"]] };
    const csv = toCsv(table);
    assert.deepEqual(parseCsv(csv), [["name, \"quoted\""], ["a,b"], ["say \"hi\""], ["line\\r\\nbreak\\x1b[31m\\u202e"]]);
    assert.equal(csvObjects(csv).length, 3);
    assert.doesNotMatch(csv.replaceAll("\r\n", ""), /[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it("user text a spreadsheet would run as a formula gets a leading apostrophe; numbers and other text stay as they are", () => {
    const table: ExportTable = {
      columns: [{ name: "name", kind: "text" }, { name: "lr", kind: "parameter" }],
      rows: [["=HYPERLINK(\"http://x\")", -0.5], ["+1", 1], ["-2", 2], ["@SUM(A1)", 3], ["\t=1", 4], ["a=b", 5]],
    };
    assert.deepEqual(parseCsv(toCsv(table)).slice(1), [
      ["'=HYPERLINK(\"http://x\")", "-0.5"], ["'+1", "1"], ["'-2", "2"], ["'@SUM(A1)", "3"], ["'\\t=1", "4"], ["a=b", "5"],
    ]);
    assert.deepEqual(toExportJson(table)[0], { name: "=HYPERLINK(\"http://x\")", lr: -0.5 }, "JSON is data, not a spreadsheet: unchanged");
  });
});
