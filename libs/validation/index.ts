import { z } from "zod";
import { textIssues } from "./text.ts";

export { MAX_NESTING, nestingIssue, textIssues } from "./text.ts";

/** One thing to fix: the field path (`parameters.lr.loguniform`) and what is wrong, with the value received. */
export interface InputIssue {
  path: string;
  message: string;
}

/** Input a person has to change; the API answers it with 400 and the issues. */
export class InvalidInputError extends Error {
  constructor(
    /** What was invalid, in the program's words ("training config"). */
    readonly what: string,
    readonly issues: InputIssue[],
  ) {
    super(`invalid ${what}:\n  - ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("\n  - ")}`);
    this.name = "InvalidInputError";
  }
}

type Issue = z.core.$ZodIssue;
type Path = PropertyKey[];

/** Says what to do with `key`, found where it is not allowed, in the object at `objectPath`. */
export type UnknownKeyAdvice = (objectPath: Path, key: string) => string;

/**
 * Most issues an error lists one by one. The rest are counted in a last entry: 50,000 bad values in
 * one list get a short answer (and a short event-loop stall), and fixing the first few is the next
 * step anyway.
 */
export const MAX_LISTED_ISSUES = 20;

/** The first MAX_LISTED_ISSUES issues, and one entry that counts the rest. */
export function capIssues(issues: InputIssue[], total = issues.length): InputIssue[] {
  if (total <= MAX_LISTED_ISSUES) return issues;
  const more = total - MAX_LISTED_ISSUES;
  return [
    ...issues.slice(0, MAX_LISTED_ISSUES),
    { path: "(more)", message: `and ${more.toLocaleString("en-US")} more issues like these: fix the ones above first` },
  ];
}

/**
 * Zod's issues as one entry per thing to fix, each with the value received: an unknown key gets its
 * own path and advice, and a union failure lists what its alternatives accept (`expected one of:
 * 28, 32`), not a bare "Invalid input". At most MAX_LISTED_ISSUES are spelt out (capIssues).
 */
export function inputIssues(error: z.ZodError, input: unknown, advice?: UnknownKeyAdvice): InputIssue[] {
  const leaves = error.issues.flatMap((issue) => leafIssues(issue, advice));
  const listed = leaves.slice(0, MAX_LISTED_ISSUES).map((leaf) => {
    const value = valueAt(input, leaf.path);
    const shown = value === undefined ? "" : ` (got ${preview(value)})`;
    return { path: leaf.path.map(String).join(".") || "(root)", message: `${leaf.message}${shown}` };
  });
  return capIssues(listed, leaves.length);
}

/** The messages of a failed parse, without paths or values, for quoting inside another issue. */
export function issueMessages(error: z.ZodError): string {
  return error.issues.flatMap((issue) => leafIssues(issue)).map((issue) => issue.message).join("; ");
}

/** Longest value quoted back in an issue: a 200 KB string or a 10,000-level object is shown cut. */
const PREVIEW_CHARS = 200;

/** The value as JSON, cut to PREVIEW_CHARS; one nested too deeply to serialise at all is described instead. */
function preview(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // RangeError: nested deeper than the stack allows.
    return Array.isArray(value) ? "[...] (an array nested too deeply to show)" : "{...} (an object nested too deeply to show)";
  }
  if (text === undefined) return String(value);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}... (${text.length} characters)` : text;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function leafIssues(issue: Issue, advice?: UnknownKeyAdvice): Issue[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => custom([...issue.path, key], advice ? advice(issue.path, key) : "unknown key"));
  }
  if (issue.code === "invalid_union") {
    return [custom(issue.path, `expected one of: ${[...new Set(issue.errors.map(expectedBy))].join(", ")}`)];
  }
  return [issue];
}

function expectedBy(branch: Issue[]): string {
  const [first] = branch;
  if (first.code === "invalid_type") return first.expected;
  if (first.code === "invalid_value") return first.values.map((value) => JSON.stringify(value)).join(", ");
  return first.message;
}

function custom(path: Path, message: string): Issue {
  return { code: "custom", path, message, input: undefined };
}

/** Parses `input` with `schema`, or throws an InvalidInputError about `what` naming every field at fault. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const unstorable = textIssues(input);
  if (unstorable.length > 0) throw new InvalidInputError(what, unstorable);
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(what, inputIssues(result.error, input));
  return result.data;
}
