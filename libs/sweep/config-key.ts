import { deriveSeed } from "../random/index.ts";
import { keyedValues, type Configuration } from "./fields.ts";

/**
 * 12 hex digits identifying a configuration by its sweepable values alone (sorted keys, recipe fields at their default left out), so that repeats
 * group together and the same configuration in another sweep gets the same key. Two FNV-1a streams give
 * 48 bits: collisions stay negligible at the sizes of sweeps.
 */
export function configKey(configuration: Configuration): string {
  const canonical = JSON.stringify(Object.entries(keyedValues(configuration)).sort(([a], [b]) => (a < b ? -1 : 1)));
  const hex = (stream: number) => deriveSeed(stream, "configKey", canonical).toString(16).padStart(8, "0");
  return `${hex(0)}${hex(1).slice(0, 4)}`;
}
