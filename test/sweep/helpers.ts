import assert from "node:assert/strict";
import { SweepConfigError, type SweepIssue } from "../../libs/sweep/index.ts";

/** The issues a call refuses with; fails the test if it does not throw a SweepConfigError. */
export function refusal(call: () => unknown): SweepIssue[] {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof SweepConfigError, `expected SweepConfigError, got ${error}`);
    return error.issues;
  }
  assert.fail("expected the call to be refused");
}

/** The issue at `path`, failing with the issues received when there is none. */
export function issueAt(issues: SweepIssue[], path: string): SweepIssue {
  const issue = issues.find((candidate) => candidate.path === path);
  assert.ok(issue, `no issue at ${path}; got ${JSON.stringify(issues)}`);
  return issue;
}
