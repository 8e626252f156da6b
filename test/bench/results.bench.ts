/**
 * `npm run bench:results`: the 100-label results table of docs/results.md (issue 13). Trains, with
 * this product's own trainer (apps/cli/train.ts, one run at a time on every core), each row's recipe
 * for each of its seeds, keeps every finished run in test/fixtures/results/parts/ (committed, so a
 * table that takes longer than a session is finished in the next; a run cut off resumes from its
 * checkpoint under .data/results/ when that folder survives), and rewrites the table between the
 * markers in docs/results.md once every run of a row has its part.
 *
 * Rows: the shipped recipe (--recipe, default examples/ssl-100-labels-recipe.yaml, found by the
 * examples/ssl-100-labels.yaml sweep) on MNIST and on Fashion-MNIST (Debian's dataset-fashion-mnist
 * copied under .data/datasets/fashion-mnist, 8,000 training images), and the seed's `improved` and
 * `reference` variants with 100 labels for --baseline-epochs (they are the seed's network: a
 * 200-epoch run of it is hours here).
 *
 * Options: --rows recipe-mnist,recipe-fashion,improved,reference (default all), --seeds 1,2,3,
 * --threads N (default all cores), --parts DIR and --doc FILE (elsewhere, to try it), --baseline-epochs 30.
 */
import { execFile } from "node:child_process";
import { cpus } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    recipe: { type: "string", default: join(ROOT, "examples/ssl-100-labels-recipe.yaml") },
    rows: { type: "string", default: "recipe-mnist,recipe-fashion,improved,reference" },
    seeds: { type: "string", default: "1,2,3" },
    threads: { type: "string", default: String(cpus().length) },
    parts: { type: "string", default: join(ROOT, "test/fixtures/results/parts") },
    doc: { type: "string", default: join(ROOT, "docs/results.md") },
    "baseline-epochs": { type: "string", default: "30" },
  },
});
const FASHION = join(ROOT, ".data/datasets/fashion-mnist");
const BEGIN = "<!-- results table: npm run bench:results -->";
const END = "<!-- end of results table -->";

interface Row {
  name: string;
  label: string;
  /** Flags of `npm run train` besides --seed, --threads and --out. */
  flags: string[];
}

const baseline = (variant: string): string[] => ["--variant", variant, "--labeled", "100", "--epochs", values["baseline-epochs"]!, "--img-size", "28"];
const ROWS: Row[] = [
  { name: "recipe-mnist", label: "the recipe, MNIST", flags: ["--config", values.recipe!] },
  { name: "recipe-fashion", label: "the recipe, Fashion-MNIST", flags: ["--config", values.recipe!, "--dataset", FASHION, "--limit", "8000"] },
  { name: "improved", label: "seed network, `improved` variant, MNIST", flags: baseline("improved") },
  { name: "reference", label: "seed network, `reference` variant, MNIST", flags: baseline("reference") },
];

interface Part {
  row: string;
  seed: number;
  command: string;
  data: string;
  epochs: number;
  finalTestAccuracy: number;
  /** Mean test accuracy of the last 5 epochs (the recipe's objective). */
  lastFiveTestAccuracy: number;
  bestTestAccuracy: number;
  wallSeconds: number;
}

const partPath = (row: Row, seed: number) => join(values.parts!, `${row.name}-seed${seed}.json`);

async function train(row: Row, seed: number): Promise<void> {
  if (existsSync(partPath(row, seed))) return;
  const out = join(ROOT, ".data/results", `${row.name}-seed${seed}`);
  const flags = [...row.flags, "--seed", String(seed), "--threads", values.threads!, "--backend", "wasm"];
  process.stderr.write(`${row.name} seed ${seed}: training (${flags.join(" ")})\n`);
  const started = Date.now();
  await run(process.execPath, ["--import", "tsx", join(ROOT, "apps/cli/train.ts"), ...flags, "--out", out], { cwd: ROOT, maxBuffer: 256 * 2 ** 20 });
  const epochs = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { testAccuracy: number; wallSeconds: number });
  const accuracies = epochs.map((epoch) => epoch.testAccuracy);
  const part: Part = {
    row: row.name,
    seed,
    command: `npm run train -- ${flags.map((flag) => flag.replace(ROOT + "/", "")).join(" ")}`,
    data: (JSON.parse(readFileSync(join(out, "run.json"), "utf8")) as { data: string }).data.replace(ROOT + "/", ""),
    epochs: epochs.length,
    finalTestAccuracy: accuracies.at(-1)!,
    lastFiveTestAccuracy: mean(accuracies.slice(-5)),
    bestTestAccuracy: Math.max(...accuracies),
    // The epochs' own wall times: a run resumed from its checkpoint counts each epoch once.
    wallSeconds: Math.round(epochs.reduce((sum, epoch) => sum + epoch.wallSeconds, 0)),
  };
  writeFileSync(partPath(row, seed), `${JSON.stringify(part, null, 1)}\n`);
  process.stderr.write(`${row.name} seed ${seed}: final test accuracy ${part.finalTestAccuracy.toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1), as a table of seeds reports it. */
function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (xs.length - 1));
}

const percent = (x: number) => (100 * x).toFixed(2);

function tableRow(row: Row, parts: Part[]): string {
  const finals = parts.map((part) => part.finalTestAccuracy);
  const perSeed = parts.map((part) => `${percent(part.finalTestAccuracy)} (${percent(part.lastFiveTestAccuracy)})`).join(", ");
  const wall = `${(mean(parts.map((part) => part.wallSeconds)) / 60).toFixed(0)} min`;
  return `| ${row.label} | ${parts[0]!.data} | ${parts[0]!.epochs} | ${perSeed} | ${percent(mean(finals))} +- ${percent(std(finals))} | ${wall} |`;
}

/** A bad option or a missing input: said in one line, exit status 2, no stack trace. */
function refuse(message: string): never {
  process.stderr.write(`bench:results: ${message}\n`);
  process.exit(2);
}

const seeds = values.seeds!.split(",").map(Number);
const rows = values.rows!.split(",").map((name) => ROWS.find((candidate) => candidate.name === name) ?? refuse(`--rows: no row ${name}; the rows are ${ROWS.map((r) => r.name).join(", ")}`));
if (rows.some((row) => row.name.startsWith("recipe")) && !existsSync(values.recipe!)) {
  refuse(`--recipe: ${values.recipe} does not exist: run the examples/ssl-100-labels.yaml sweep and save its best configuration there (or --rows improved,reference)`);
}
if (rows.some((row) => row.name === "recipe-fashion") && !existsSync(FASHION)) {
  refuse(`Fashion-MNIST is not at ${FASHION}: apt-get install dataset-fashion-mnist, then copy /usr/share/datasets/fashion-mnist/* there`);
}
mkdirSync(values.parts!, { recursive: true });
for (const row of rows) for (const seed of seeds) await train(row, seed);

const lines = ROWS.flatMap((row) => {
  const parts = seeds.map((seed) => partPath(row, seed)).filter(existsSync).map((path) => JSON.parse(readFileSync(path, "utf8")) as Part);
  return parts.length === seeds.length ? [tableRow(row, parts)] : [];
});
const table = [
  BEGIN,
  `| recipe | data | epochs | test accuracy % per seed ${seeds.join(", ")}: final (mean of the last 5 epochs) | final, mean +- std | wall time per run, 2 cores |`,
  "|---|---|---|---|---|---|",
  ...lines,
  END,
].join("\n");
const doc = existsSync(values.doc!) ? readFileSync(values.doc!, "utf8") : `# Results\n\n${BEGIN}\n${END}\n`;
if (!doc.includes(BEGIN) || !doc.includes(END)) throw new Error(`${values.doc} lacks the table's markers (${BEGIN} ... ${END})`);
writeFileSync(values.doc!, doc.slice(0, doc.indexOf(BEGIN)) + table + doc.slice(doc.indexOf(END) + END.length));
console.log(table);
