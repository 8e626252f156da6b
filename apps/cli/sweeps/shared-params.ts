import type { Configuration } from "../../../libs/sweep/fields.ts";

export type Hyperparameters = Partial<Configuration>;
export type Hyperparameter = keyof Configuration;

/** Hyperparameters with one value in every entry: said once above a table instead of in a column each. */
export function sharedParams(all: readonly Configuration[]): Hyperparameters {
  if (all.length < 2) return {};
  return Object.fromEntries(Object.entries(all[0]).filter(([key, v]) => all.every((params) => params[key as Hyperparameter] === v)));
}
