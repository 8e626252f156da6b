/** A one-line progress bar on stderr for interactive terminals; silent when stderr is not a TTY. */
export function renderProgress(label: string, done: number, total: number, suffix = ""): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  process.stderr.write(`\r${label} [${bar}] ${done}/${total} ${suffix}`.padEnd(process.stderr.columns ?? 100));
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write("\n");
}
