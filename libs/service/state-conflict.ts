/**
 * The operation does not apply to the sweep or run as it is now (a completed sweep cannot be paused,
 * a completed run has nothing to retry): the API answers 409 with the message, which says why.
 */
export class StateConflictError extends Error {
  override name = "StateConflictError";
}
