import { isUuid } from "../db/values.ts";
import { InvalidInputError } from "../validation/index.ts";

const WHERE_SHOWN = { sweep: "as sweeps ls shows them", run: "as sweeps watch and GET /api/sweeps/:id show them" } as const;

/**
 * A write names what is wrong with an id that cannot be one (a read just says not found): throws
 * InvalidInputError at `id`.
 */
export function requireUuid(id: string, kind: keyof typeof WHERE_SHOWN): void {
  if (isUuid(id)) return;
  throw new InvalidInputError(`${kind} id`, [{ path: "id", message: `${JSON.stringify(id.slice(0, 100))} is not one: ${kind} ids are UUIDs, ${WHERE_SHOWN[kind]}` }]);
}
