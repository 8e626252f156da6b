import { InvalidInputError, type InputIssue } from "../validation/index.ts";

export class RankOptionsError extends InvalidInputError {
  constructor(issues: InputIssue[]) {
    super("ranking options", issues);
    this.name = "RankOptionsError";
  }
}
