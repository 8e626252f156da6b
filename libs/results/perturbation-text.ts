// How PBT's explore step moved a value (libs/sweep/pbt/explore.ts), worded once for the decision's
// reason, the CLI's lineage and the dashboard's: "lr 0.0006 -> 0.0006 (x1.2, clamped to the range)"
// tells a value that stayed put at its range's end from one that was never perturbed.
import type { PerturbedValue } from "../sweep/pbt/explore.ts";

export function perturbationText(
  { field, from, to, operation }: PerturbedValue,
  value: (field: string, value: PerturbedValue["to"] | undefined) => string = (_, shown) => String(shown),
  arrow = "->",
): string {
  const how =
    operation.kind === "resample" ? "resampled"
    : operation.kind === "multiply" ? `x${operation.factor}${operation.clamped ? ", clamped to the range" : ""}`
    : `shift ${operation.direction === -1 ? "left" : "right"}${operation.noop ? ", at the end: unchanged" : ""}`;
  return `${field} ${value(field, from)} ${arrow} ${value(field, to)} (${how})`;
}
