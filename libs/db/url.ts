// Connection strings: which one applies, and how to show one without leaking its password.
import { maskUrl } from "../log/index.ts";

export { maskUrl as maskDatabaseUrl };

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/sgan_sweeps";

export function resolveDatabaseUrl(databaseUrl?: string): string {
  return databaseUrl || process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** Replaces the URL and its password wherever they occur in text (CLI output, driver errors). */
export function redactDatabaseUrl(text: string, databaseUrl: string): string {
  let redacted = text.split(databaseUrl).join(maskUrl(databaseUrl));
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
