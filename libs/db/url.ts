// Connection strings: which one applies, and how to show one without leaking its password.

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/sgan_sweeps";

export function resolveDatabaseUrl(databaseUrl?: string): string {
  return databaseUrl || process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** The URL with its password (in the authority or as a `password` parameter) replaced by ***. */
export function maskDatabaseUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    // Not parseable, so the password cannot be located: blank every user:password@ lookalike.
    return databaseUrl.replace(/\/\/([^:/@]*):[^@]*@/g, "//$1:***@");
  }
  if (url.password) url.password = "***";
  if (url.searchParams.has("password")) url.searchParams.set("password", "***");
  // URL.toString() percent-encodes the stars in the query string; keep them readable.
  return url.toString().replace(/%2A%2A%2A/g, "***");
}

/** Replaces the URL and its password wherever they occur in text (CLI output, driver errors). */
export function redactDatabaseUrl(text: string, databaseUrl: string): string {
  let redacted = text.split(databaseUrl).join(maskDatabaseUrl(databaseUrl));
  for (const secret of passwordsOf(databaseUrl)) redacted = redacted.split(secret).join("***");
  return redacted;
}

function passwordsOf(databaseUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return [];
  }
  const candidates = [url.password, url.searchParams.get("password") ?? ""];
  const decoded = candidates.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  // A one- or two-character password would blank unrelated text; such a secret is no secret anyway.
  return [...new Set([...candidates, ...decoded])].filter((p) => p.length >= 3);
}

export interface DatabaseTarget {
  host: string;
  port: number;
  database: string;
}

/** Where the URL points, for messages a person can act on. */
export function databaseTarget(databaseUrl: string): DatabaseTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || process.env.PGHOST || "localhost",
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || url.username || "postgres",
  };
}

/** The same server and credentials, connected to another database (to create the target one). */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
