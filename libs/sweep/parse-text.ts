import { parseDocument } from "yaml";
import { parseSweepConfig, type SweepConfig } from "./config.ts";
import { SweepConfigError } from "./errors.ts";

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

function readYaml(text: string): unknown {
  const document = parseDocument(text);
  if (document.errors.length === 0) {
    try {
      return document.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
    } catch (failure) {
      // The yaml package refuses excessive alias expansion (a "billion laughs" bomb) with a ReferenceError.
      const reason = (failure as Error).message;
      throw new SweepConfigError([{ path: "(yaml)", message: `the YAML cannot be expanded: ${reason} (at most ${YAML_MAX_ALIAS_COUNT} alias uses)` }]);
    }
  }
  throw new SweepConfigError(
    document.errors.map((error) => {
      const [start] = error.linePos ?? [];
      const where = start === undefined ? "" : `line ${start.line}, column ${start.col}: `;
      return { path: "(yaml)", message: `${where}${error.message.split(" at line ")[0]}` };
    }),
  );
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
