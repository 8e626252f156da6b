/**
 * Ends the process with `code` once `cleanup` has run (or failed). The status is set before the cleanup
 * starts: a cleanup can await work that holds nothing open (the wasm backend's pthread workers are
 * unref'd), and when the event loop drains during that await Node exits by itself, with
 * process.exitCode, before the process.exit below is reached.
 */
export async function exitAfter(code: number, cleanup: () => Promise<unknown>): Promise<never> {
  process.exitCode = code;
  try {
    await cleanup();
  } finally {
    process.exit(code);
  }
}
