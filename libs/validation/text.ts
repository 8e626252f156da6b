// Checks of raw input that no schema states: text PostgreSQL cannot store, and nesting deeper than
// any config has. Both walk the input without recursion, so that a 50,000-level document cannot
// overflow the stack of the check itself.
import type { InputIssue } from "./index.ts";

/** Deepest nesting of objects and arrays a request may have; a sweep config has four levels. */
export const MAX_NESTING = 32;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL (text, and jsonb's strings and keys) would refuse this string, or null if it would not. */
function unstorable(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (U+0000), which cannot be stored: remove it";
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains a lone surrogate (U+${code}), which is not Unicode text: send the string as valid UTF-8/UTF-16`;
  }
  return null;
}

/**
 * One issue per string (value or key) that cannot be stored, with its path; at most `limit` of them.
 * Inputs nested deeper than MAX_NESTING are left to nestingIssue.
 */
export function textIssues(input: unknown, limit = 20): InputIssue[] {
  const issues: InputIssue[] = [];
  const pending: Array<{ value: unknown; path: string[] }> = [{ value: input, path: [] }];
  while (pending.length > 0 && issues.length < limit) {
    const { value, path } = pending.pop()!;
    if (typeof value === "string") {
      const problem = unstorable(value);
      if (problem) issues.push({ path: path.join(".") || "(root)", message: problem });
      continue;
    }
    if (value === null || typeof value !== "object" || path.length > MAX_NESTING) continue;
    for (const [key, child] of Object.entries(value).reverse()) {
      const keyProblem = unstorable(key);
      if (keyProblem) issues.push({ path: [...path, JSON.stringify(key)].join("."), message: `key ${keyProblem}` });
      else pending.push({ value: child, path: [...path, key] });
    }
  }
  return issues;
}

/** An issue if objects and arrays nest deeper than MAX_NESTING levels, else null. */
export function nestingIssue(input: unknown): InputIssue | null {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: input, depth: 0 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_NESTING) {
      return { path: "(root)", message: `nested too deeply: more than ${MAX_NESTING} levels of objects and arrays (a sweep config has 4)` };
    }
    for (const child of Object.values(value)) pending.push({ value: child, depth: depth + 1 });
  }
  return null;
}
