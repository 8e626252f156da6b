import { parseSweepConfig, type SweepConfig } from "../sweep/index.ts";

/**
 * A sweep's stored config as its study reads it: parsed again by today's schema, which fills in
 * what older versions did not store (an objective, a pruner). Null for a config that schema no
 * longer accepts: such a sweep's study neither asks nor prunes.
 */
export function studyConfig(stored: unknown): SweepConfig | null {
  try {
    return parseSweepConfig(stored);
  } catch {
    return null;
  }
}
