import { printable } from "../../libs/terminal-text/index.ts";

/** `[#####-----]`: the bar alone, for callers that lay out their own line (train's stderr line, sweeps watch). */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.min(width, Math.max(0, Math.round((done / total) * width))) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/** A one-line progress bar on stderr for interactive terminals; silent when stderr is not a TTY. */
export function renderProgress(label: string, done: number, total: number, suffix = ""): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r${printable(label)} ${progressBar(done, total)} ${done}/${total} ${printable(suffix)}`.padEnd(process.stderr.columns ?? 100));
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write("\n");
}
