/** Short one-line description of an unknown thrown value, for error messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const first = err.message.split("\n")[0] ?? "";
    return typeof code === "string" ? `${code}: ${first}` : first;
  }
  return String(err);
}

/** True when `import(specifier)` failed because the package itself is not installed. */
export function isModuleNotFound(err: unknown, specifier: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code !== "ERR_MODULE_NOT_FOUND" && e?.code !== "MODULE_NOT_FOUND") return false;
  // A missing transitive dependency reports the same code; only treat it as
  // "not installed" when the package named is the one we asked for.
  return typeof e.message === "string" && e.message.includes(`'${specifier}'`);
}
