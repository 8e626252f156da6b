import { isNode, parseDocument, visit } from "yaml";
import { parseSweepConfig, type SweepConfig } from "./config.ts";
import { SweepConfigError, type SweepIssue } from "./errors.ts";
import { capIssues } from "../validation/index.ts";

export type SweepTextFormat = "json" | "yaml";

/** A sweep config from the text of a file or request body; without `format`, JSON if it parses as JSON, else YAML. */
export function parseSweepText(text: string, format?: SweepTextFormat): SweepConfig {
  return parseSweepConfig(format === "json" ? readJson(text) : format === "yaml" ? readYaml(text) : readEither(text));
}

function readEither(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (jsonFailure) {
    try {
      return readYaml(text);
    } catch (yamlFailure) {
      // Text that opens like JSON was meant as JSON: JSON's error points at the mistake, YAML's would not.
      throw /^\s*[{[]/.test(text) ? jsonError(text, jsonFailure as SyntaxError) : yamlFailure;
    }
  }
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (failure) {
    throw jsonError(text, failure as SyntaxError);
  }
}

function jsonError(text: string, failure: SyntaxError): SweepConfigError {
  const offset = /at position (\d+)/.exec(failure.message);
  const where = offset === null ? "" : `${lineAndColumn(text, Number(offset[1]))}: `;
  return new SweepConfigError([{ path: "(json)", message: `${where}${failure.message.replace(/ in JSON at position \d+.*$/s, "")}` }]);
}

/** Most aliases a YAML config may expand (the yaml package's default, stated): an alias bomb is refused. */
export const YAML_MAX_ALIAS_COUNT = 100;

/**
 * Tags of the YAML 1.2 core schema, the only ones a config may use. The yaml package also resolves
 * YAML 1.1's !!omap, !!set, !!binary and !!timestamp by default, into Maps, Sets and Buffers that read
 * as `{}`: a user's settings under such a tag would be dropped without a word.
 */
const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`));

function readYaml(text: string): unknown {
  let document: ReturnType<typeof parseDocument>;
  try {
    document = parseDocument(text, { resolveKnownTags: false });
  } catch (failure) {
    throw tooDeep(failure);
  }
  const foreignTag = document.errors.length === 0 ? firstForeignTag(document) : null;
  if (foreignTag) throw new SweepConfigError([{ path: "(yaml)", message: foreignTag }]);
  if (document.errors.length === 0) {
    try {
      return document.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
    } catch (failure) {
      if (failure instanceof RangeError) throw tooDeep(failure);
      // The yaml package refuses excessive alias expansion (a "billion laughs" bomb) with a ReferenceError.
      const reason = (failure as Error).message;
      throw new SweepConfigError([{ path: "(yaml)", message: `the YAML cannot be expanded: ${reason} (at most ${YAML_MAX_ALIAS_COUNT} alias uses)` }]);
    }
  }
  throw new SweepConfigError(yamlIssues(document.errors));
}

/** One issue per distinct parse error, at most MAX_LISTED_ISSUES of them spelt out. */
function yamlIssues(errors: ReturnType<typeof parseDocument>["errors"]): SweepIssue[] {
  const issues = errors.map((error): SweepIssue => {
    const [start] = error.linePos ?? [];
    const where = start === undefined ? "" : `line ${start.line}, column ${start.col}: `;
    const message = error.message.split(" at line ")[0];
    // The parser recurses per flow level and reports a stack overflow as a document error.
    if (/call stack/i.test(message)) return { path: "(yaml)", message: TOO_DEEP };
    return { path: "(yaml)", message: `${where}${message}` };
  });
  const distinct = [...new Map(issues.map((issue) => [issue.message, issue])).values()];
  return capIssues(distinct);
}

const TOO_DEEP = "the YAML is nested too deeply to read (a sweep config has 4 levels)";

/** The yaml package recurses per level: a stack overflow means the document nests too deeply. */
function tooDeep(failure: unknown): unknown {
  if (!(failure instanceof RangeError)) return failure;
  return new SweepConfigError([{ path: "(yaml)", message: TOO_DEEP }]);
}

/** Why the document cannot be read as core-schema YAML: the first tag outside it. */
function firstForeignTag(document: ReturnType<typeof parseDocument>): string | null {
  let found: string | null = null;
  try {
    visit(document, (_key, node) => {
      if (!isNode(node) || node.tag === undefined || CORE_TAGS.has(node.tag)) return undefined;
      found = `the tag ${node.tag.replace("tag:yaml.org,2002:", "!!")} is not allowed: a sweep config uses plain YAML (the core schema: strings, numbers, true/false, null, mappings and lists)`;
      return visit.BREAK;
    });
  } catch (failure) {
    throw tooDeep(failure);
  }
  return found;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
