/**
 * A problem the user can fix (a missing or corrupt data file, an option out of range), as opposed
 * to a bug: callers show its message as is, without a stack trace.
 */
export class DataError extends Error {
  override name = "DataError";
}
