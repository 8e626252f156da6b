/**
 * The sweeps CLI: submit sweep configs, list sweeps, show or watch one, rank its runs; tag and note a
 * sweep or a run; cancel, pause, resume, extend or delete a sweep; retry a run. A thin client of the
 * API (apps/api) over HTTP; `sweeps --help` lists the commands.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ApiError } from "../../libs/results/index.ts";
import { DEFAULT_API_URL, SweepsApi } from "./sweeps/client.ts";
import { OPTIONS, UsageError, type Command, type OptionValues } from "./sweeps/command.ts";
import { best } from "./sweeps/commands/best.ts";
import { cancel } from "./sweeps/commands/cancel.ts";
import { remove } from "./sweeps/commands/delete.ts";
import { exportSweep } from "./sweeps/commands/export.ts";
import { extend } from "./sweeps/commands/extend.ts";
import { lineage } from "./sweeps/commands/lineage.ts";
import { ls } from "./sweeps/commands/ls.ts";
import { model } from "./sweeps/commands/model.ts";
import { note } from "./sweeps/commands/note.ts";
import { pause } from "./sweeps/commands/pause.ts";
import { resume } from "./sweeps/commands/resume.ts";
import { retry } from "./sweeps/commands/retry.ts";
import { show } from "./sweeps/commands/show.ts";
import { submit } from "./sweeps/commands/submit.ts";
import { tag } from "./sweeps/commands/tag.ts";
import { watch } from "./sweeps/commands/watch.ts";
import { escaped } from "../../libs/terminal-text/index.ts";

const COMMANDS: Record<string, Command> = { submit, ls, show, watch, best, lineage, export: exportSweep, model, tag, note, cancel, pause, resume, extend, retry, delete: remove };
const GLOBAL_OPTIONS = ["api", "token", "help"];
/** The checkout's docs, as absolute paths: the `sweeps` bin (npm link) runs from any folder. */
const DOCS = fileURLToPath(new URL("../../", import.meta.url));

const USAGE = `usage: sweeps <command> [options]

${Object.entries(COMMANDS)
  .map(([name, command]) => `  sweeps ${[name, ...command.args, command.rest ?? "", command.synopsis].filter(Boolean).join(" ")}\n${command.help.replace(/^/gm, "      ")}`)
  .join("\n\n")}

options of every command:
  --api URL     the sweeps API (default: $SWEEPS_API_URL, else ${DEFAULT_API_URL})
  --token TOKEN API token, sent as 'Authorization: Bearer' (default: $SWEEPS_API_TOKEN)
  -h, --help    this text

exit codes: 0 done, 1 the API refused or could not be reached, 2 bad command line

docs: ${DOCS}README.md (the CLI, the API, npm start)
      ${DOCS}docs/sweeps.md (sweep configs, search spaces, ranking, a sweep's lifecycle)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const [name, ...args] = positionals;
  if (values.help || name === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (name === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const command = commandFor(name, args, values);
  const api = new SweepsApi(apiUrl(values.api ?? process.env.SWEEPS_API_URL ?? DEFAULT_API_URL), values.token ?? process.env.SWEEPS_API_TOKEN);
  await command.run({ api, args, options: values, out: process.stdout });
  return 0;
}

function parseCommandLine(argv: string[]): { values: OptionValues; positionals: string[] } {
  try {
    return parseArgs({ args: withSignedArgumentsLast(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's message goes on about positionals that start with '-'; its first sentence is the point.
    throw new UsageError((error as Error).message.split(". ")[0]);
  }
}

const SHORT_OPTIONS = new Set(Object.values(OPTIONS).flatMap((option) => ("short" in option ? [`-${option.short}`] : [])));
const SIGNED_ARGUMENT = /^-[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/**
 * `sweeps tag <id> -draft`: for a command that takes further arguments, a `-word` that is no option of
 * ours is one of them (a tag to take off). Moved behind `--`, the parser keeps it as an argument.
 */
function withSignedArgumentsLast(argv: string[]): string[] {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const name = tokens.find((token) => token.kind === "positional")?.value;
  if (name === undefined || !COMMANDS[name]?.rest) return argv;
  const end = argv.includes("--") ? argv.indexOf("--") : argv.length;
  const signed = (arg: string) => SIGNED_ARGUMENT.test(arg) && !SHORT_OPTIONS.has(arg);
  const head = argv.slice(0, end);
  return [...head.filter((arg) => !signed(arg)), "--", ...head.filter(signed), ...argv.slice(end + 1)];
}

function commandFor(name: string, args: string[], values: OptionValues): Command {
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(", ")}`);
  const allowed = [...GLOBAL_OPTIONS, ...command.options];
  const stray = Object.keys(values).find((option) => !allowed.includes(option));
  if (stray) throw new UsageError(`${name} takes no --${stray}`);
  if (args.length < command.args.length) throw new UsageError(`${name} needs ${command.args.join(" ")}`);
  if (args.length > command.args.length && command.rest === undefined) throw new UsageError(`${name} takes ${command.args.join(" ") || "no arguments"}, got: ${args.join(" ")}`);
  return command;
}

function apiUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") throw new UsageError(`--api / SWEEPS_API_URL must be an http(s) URL, got '${text}'`);
  return text;
}

/**
 * What went wrong, for a person: one line (plus the API's issues, one per line); never a stack. The
 * messages hold what the user typed and what the API said, so they are shown escaped.
 */
function explain(error: unknown): string {
  if (error instanceof UsageError) return escaped`sweeps: ${error.message}\nrun 'sweeps --help' for usage`;
  if (error instanceof ApiError && error.issues.length > 0) {
    return [escaped`error: ${error.message}`, ...error.issues.map((issue) => escaped`  ${issue.path}: ${issue.message}`)].join("\n");
  }
  return escaped`error: ${(error as Error)?.message ?? String(error)}`;
}

// A closed pipe (`sweeps ls | head -1`) is the reader being done, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => process.exit(error.code === "EPIPE" ? 0 : 1));

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${explain(error)}\n`);
  return error instanceof UsageError ? 2 : 1;
});
