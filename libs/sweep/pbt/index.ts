/**
 * Population-based training's decisions (docs/sweeps.md, Population-based training): which fields can
 * change mid-run, the `pbt:` settings, and for a run at an interval boundary whether it trains on or
 * copies a better run and perturbs its values. Pure; the study loop applies the decisions.
 */
export { FROZEN_MID_RUN, PERTURBABLE_FIELDS } from "./perturbable.ts";
export { MAX_POPULATION, pbtOptionsSchema, pbtOptionsOf, defaultPerturbed } from "./options.ts";
export type { PbtOptions } from "./options.ts";
export { explore, perturbValue } from "./explore.ts";
export type { ExploreSettings, Exploration, PerturbOperation, PerturbedValue } from "./explore.ts";
export { decidePbt, isPbtBoundary, quantileSize, rankPopulation, valueAtOrBefore } from "./decide.ts";
export type { PbtDecision, PbtMember, PbtSettings } from "./decide.ts";
