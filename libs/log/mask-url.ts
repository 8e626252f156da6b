// Connection strings in logs and messages: never with their password.

/** The URL with its password (in the authority or as a `password` parameter) replaced by ***. */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not parseable, so the password cannot be located: blank every user:password@ lookalike.
    return url.replace(/\/\/([^:/@]*):[^@]*@/g, "//$1:***@");
  }
  if (parsed.password) parsed.password = "***";
  if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
  // URL.toString() percent-encodes the stars in the query string; keep them readable.
  return parsed.toString().replace(/%2A%2A%2A/g, "***");
}
