import { InvalidInputError, type InputIssue } from "../validation/index.ts";

export { InvalidInputError };
export type SweepIssue = InputIssue;

export class SweepConfigError extends InvalidInputError {
  constructor(issues: InputIssue[]) {
    super("sweep config", issues);
    this.name = "SweepConfigError";
  }
}
