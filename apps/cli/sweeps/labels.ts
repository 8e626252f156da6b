// How the CLI shows tags and notes: people wrote them, so every character a terminal acts on is
// shown escaped (a note keeps its line breaks as lines of its own).
import { printable } from "../../../libs/terminal-text/index.ts";
import type { Relabelled } from "./client.ts";
import type { Output } from "./watch-view.ts";

/** Most characters of a note's first line shown in a table cell. */
const NOTE_CELL_CHARS = 40;

/** "baseline, lr:1e-3"; "" when there are none. */
export function tagList(tags: readonly string[]): string {
  return tags.join(", ");
}

/** A note's first line, cut to fit a table cell (a cell is escaped by the table). */
export function noteCell(note: string | null): string {
  if (note === null) return "";
  const [first] = note.split("\n");
  const cut = first.length > NOTE_CELL_CHARS || note.includes("\n");
  return cut ? `${first.slice(0, NOTE_CELL_CHARS)}...` : first;
}

/** "tags: ..." and the note below "note:", one indented line per line of it, escaped. */
export function labelLines(labels: { tags: readonly string[]; note: string | null }): string {
  const tags = `tags: ${labels.tags.length > 0 ? printable(tagList(labels.tags)) : "-"}\n`;
  if (labels.note === null) return `${tags}note: -\n`;
  return `${tags}note:\n${labels.note.split("\n").map((line) => `  ${printable(line)}\n`).join("")}`;
}

/** What `sweeps tag` and `sweeps note` print: what they changed, and its labels now. */
export function printRelabelled(out: Output, { kind, record }: Relabelled): void {
  out.write(`${kind} ${printable(record.id)}\n${labelLines(record)}`);
}
