import { terminalSafeJson } from "../../../libs/terminal-text/index.ts";
import type { SweepsApi } from "./client.ts";
import type { Output } from "./watch-view.ts";

/** Every option of every command, parsed in one pass; each command then says which of them it takes. */
export const OPTIONS = {
  api: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  watch: { type: "boolean" },
  page: { type: "string" },
  "page-size": { type: "string" },
  metric: { type: "string" },
  scope: { type: "string" },
  k: { type: "string" },
  penalty: { type: "string" },
  direction: { type: "string" },
  limit: { type: "string" },
  "dry-run": { type: "boolean" },
  trials: { type: "string" },
  yes: { type: "boolean", short: "y" },
  format: { type: "string" },
  epochs: { type: "boolean" },
  out: { type: "string" },
  epoch: { type: "string" },
  tag: { type: "string", multiple: true },
  note: { type: "string" },
  importance: { type: "boolean" },
  replay: { type: "string" },
} as const;

export type OptionName = keyof typeof OPTIONS;
type OptionValue<Spec> = Spec extends { multiple: true } ? string[] : Spec extends { type: "boolean" } ? boolean : string;
export type OptionValues = { [K in OptionName]?: OptionValue<(typeof OPTIONS)[K]> };

export interface CommandContext {
  api: SweepsApi;
  /** The command's positional arguments, as many as it names. */
  args: string[];
  options: OptionValues;
  out: Output;
}

export interface Command {
  /** `<file>`-style names of the positional arguments, all required. */
  args: readonly string[];
  /**
   * Any number of further arguments, as the usage line shows them (`[+tag|-tag ...]`). A `-word` among
   * them is one of them, not an option.
   */
  rest?: string;
  /** Options besides --api, --token and --help. */
  options: readonly OptionName[];
  /** The options as the usage line shows them, after `sweeps <name> <args>`. */
  synopsis: string;
  /** What the command does, for --help: lines of at most ~100 characters. */
  help: string;
  run(context: CommandContext): Promise<void>;
}

/** The command line itself is wrong: exit code 2, with a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The API's JSON, with the characters JSON leaves raw but a terminal acts on (C1, bidi overrides) escaped. */
export function printJson(out: Output, body: unknown): void {
  out.write(`${terminalSafeJson(JSON.stringify(body, null, 2))}\n`);
}
