// Idempotent submits: a client that retries a POST (its first answer was lost) sends the same
// Idempotency-Key and gets the sweep its first try created, not a second sweep.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { SweepConfig } from "../sweep/index.ts";
import { InvalidInputError } from "../validation/index.ts";

/** The header a client sends; keys are unique per deployment (one database) and kept with the sweep. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

export const idempotencyKeySchema = z
  .string()
  .min(1, "is empty: send 1-200 printable ASCII characters (a UUID is a good key), or leave the header out")
  .max(200, "is longer than 200 characters")
  .regex(/^[\x21-\x7e]+$/, "may hold printable ASCII characters only (no spaces or control characters)");

/** The key as sent, or undefined without the header; InvalidInputError naming the header otherwise. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const result = idempotencyKeySchema.safeParse(header);
  if (result.success) return result.data;
  throw new InvalidInputError("request headers", result.error.issues.map((issue) => ({ path: IDEMPOTENCY_HEADER, message: issue.message })));
}

/** What identifies a submit's content: the validated config, so the same sweep as JSON or YAML is the same request. */
export function requestHash(config: SweepConfig): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex");
}

/** The key was used before for another sweep config: the client reused a key, a retry would not change the body. */
export class IdempotencyKeyReusedError extends Error {
  override name = "IdempotencyKeyReusedError";
  constructor(readonly key: string, readonly sweepId: string) {
    super(
      `${IDEMPOTENCY_HEADER} ${JSON.stringify(key)} was already used for sweep ${sweepId} with a different config: ` +
        "send a new key for a new sweep (a retry must send the same config as the first try)",
    );
  }
}
