export type Probe<T> = () => T | null | undefined | false | Promise<T | null | undefined | false>;

/**
 * Polls `probe` every `intervalMs` until it returns something truthy, and resolves to that; rejects
 * after `timeoutMs`, naming what it waited for.
 */
export async function waitFor<T>(what: string, probe: Probe<T>, timeoutMs = 90_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
