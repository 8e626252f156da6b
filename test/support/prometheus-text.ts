// A strict reader of Prometheus's text exposition format 0.0.4
// (prometheus.io/docs/instrumenting/exposition_formats): every line is a HELP, a TYPE, a comment or
// a sample; each family is declared (TYPE) before its samples, at most once; names and labels are
// well formed and label values escaped; no series appears twice; a histogram's buckets carry `le`,
// grow with it and end at +Inf equal to its _count. Anything else throws, naming the line.

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

/** While reading: whether its TYPE line has come. */
interface Draft extends MetricFamily {
  typed: boolean;
}

export class PrometheusTextError extends Error {
  override name = "PrometheusTextError";
  constructor(lineNumber: number, line: string, problem: string) {
    super(`line ${lineNumber}: ${problem}: ${JSON.stringify(line)}`);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly string[] = ["counter", "gauge", "histogram", "summary", "untyped"];
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, Draft>();
  const seenSeries = new Set<string>();
  const lines = text.split("\n").slice(0, -1);
  lines.forEach((line, index) => {
    const fail = (problem: string): never => {
      throw new PrometheusTextError(index + 1, line, problem);
    };
    if (line.trim() === "") return;
    if (line.startsWith("#")) return readComment(line, families, fail);
    const sample = readSample(line, fail);
    const family = familyOf(sample.name, families) ?? fail("a sample of no declared family (TYPE must come first)");
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSeries.has(key)) fail("the same series twice");
    seenSeries.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return new Map([...families].map(([name, { typed: _typed, ...family }]) => [name, family]));
}

function readComment(line: string, families: Map<string, Draft>, fail: (problem: string) => never): void {
  const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
  if (!match) return; // a plain comment
  const [, keyword, name, rest = ""] = match;
  if (!NAME.test(name)) fail("a malformed metric name");
  const family: Draft = families.get(name) ?? { name, type: "untyped", help: "", samples: [], typed: false };
  if (keyword === "TYPE") {
    if (!TYPES.includes(rest)) fail(`an unknown type ${rest}`);
    if (family.typed) fail("a second TYPE for the family");
    family.type = rest as MetricType;
    family.typed = true;
  } else {
    if (family.help !== "") fail("a second HELP for the family");
    family.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
  }
  families.set(name, family);
}

function readSample(line: string, fail: (problem: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line) ?? fail("no metric name");
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const pair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,?)/.exec(rest) ?? fail("a malformed label");
      const [whole, labelName, raw, comma] = pair;
      if (!LABEL_NAME.test(labelName) || labelName.startsWith("__")) fail(`a reserved or malformed label name ${labelName}`);
      if (labelName in labels) fail(`label ${labelName} twice`);
      labels[labelName] = raw.replace(/\\(["\\n])/g, (_escape, char: string) => (char === "n" ? "\n" : char));
      rest = rest.slice(whole.length);
      if (comma === "" && !rest.startsWith("}")) fail("labels not separated by commas");
    }
    rest = rest.slice(1);
  }
  const [, value, timestamp] = /^ (\S+)(?: ([-+]?\d+))?$/.exec(rest) ?? fail("no value after the name and labels");
  if (timestamp !== undefined) checkTimestamp(timestamp, fail);
  return { name, labels, value: parseValue(value, fail) };
}

// Prometheus reads a value with Go's strconv.ParseFloat, refusing p, P and _ first (prometheus/common
// expfmt text_parse.go parseFloat): so a decimal float, or in any letter case NaN (unsigned), Inf or
// Infinity (signed or not); no hexadecimal, no digit separators, nothing past float64's range.
const SPECIAL_VALUE = /^(?:(?<nan>nan)|(?<sign>[-+]?)inf(?:inity)?)$/i;
const DECIMAL_VALUE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function parseValue(text: string, fail: (problem: string) => never): number {
  const special = SPECIAL_VALUE.exec(text);
  if (special) return special.groups!.nan ? NaN : special.groups!.sign === "-" ? -Infinity : Infinity;
  if (!DECIMAL_VALUE.test(text)) fail(`a value that is not a number: ${text}`);
  const value = Number(text);
  if (!Number.isFinite(value)) fail(`a value beyond float64's range: ${text}`);
  return value;
}

/** Prometheus reads a timestamp (milliseconds) with Go's strconv.ParseInt(text, 10, 64). */
function checkTimestamp(text: string, fail: (problem: string) => never): void {
  const milliseconds = BigInt(text);
  if (milliseconds > 2n ** 63n - 1n || milliseconds < -(2n ** 63n)) fail(`a timestamp beyond int64's range: ${text}`);
}

function familyOf<F extends MetricFamily>(sampleName: string, families: Map<string, F>): F | undefined {
  for (const family of families.values()) {
    if ("typed" in family && !family.typed) continue;
    if (SUFFIXES[family.type].some((suffix) => sampleName === family.name + suffix)) return family;
  }
  return undefined;
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  const seriesKey = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([name]) => name !== "le").sort());
  for (const sample of family.samples) {
    const entry = series.get(seriesKey(sample.labels)) ?? { buckets: [] };
    series.set(seriesKey(sample.labels), entry);
    if (sample.name.endsWith("_bucket")) {
      if (sample.labels.le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([sample.labels.le === "+Inf" ? Infinity : Number(sample.labels.le), sample.value]);
    } else if (sample.name.endsWith("_count")) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i][0] > buckets[i - 1][0]) || buckets[i][1] < buckets[i - 1][1]) throw new Error(`${family.name} ${key}: buckets out of order or shrinking`);
    }
    const last = buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${family.name} ${key}: no +Inf bucket`);
    if (count !== last[1]) throw new Error(`${family.name} ${key}: _count ${count} is not the +Inf bucket ${last[1]}`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = familyOf(name, families);
  const matching = family?.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) ?? [];
  if (matching.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} names ${matching.length} series`);
  return matching[0]?.value;
}
