// PBT's decision for one run at an interval boundary, asynchronous as Ray Tune's default (synch=False):
// only the run that reached the boundary is decided, against the others as they stand. Pure and seeded:
// the same population gives the same decision in any process, so a replay decides again what was decided.
import { createRng, deriveSeed } from "../../random/index.ts";
import type { Assignment, SearchSpace } from "../sampler.ts";
import type { CurvePoint, StudyDirection } from "../pruners/types.ts";
import { isWorse, shown } from "../pruners/curve.ts";
import { perturbationText } from "../../results/perturbation-text.ts";
import { explore, type Exploration } from "./explore.ts";
import type { PbtOptions } from "./options.ts";

/** One run of the population as the decision reads it. */
export interface PbtMember {
  runId: string;
  /** The run's index in the sweep: it names the decision's random stream, which a run id (a fresh uuid per database) could not. */
  index: number;
  /** Its values now (after any earlier explore), at least every field of the space. */
  assignment: Assignment;
  /** The objective's metric per recorded epoch (what the pruners read). */
  curve: readonly CurvePoint[];
  /** Whether the sweep's stuck rule flags it now. */
  stuck: boolean;
  /** The epoch its stored checkpoint holds (its last recorded one); null before its first. */
  checkpointEpoch: number | null;
}

export interface PbtSettings {
  options: Pick<PbtOptions, "interval" | "quantile" | "resampleProbability" | "perturbationFactors" | "perturb">;
  space: SearchSpace;
  direction: StudyDirection;
  /** The sweep's seed. */
  seed: number;
  /** fixed.epochs: a run at its last epoch is done, never decided. */
  epochs: number;
}

export type PbtDecision =
  | { action: "continue"; reason: string }
  | {
      action: "exploit";
      /** Copy this run's checkpoint as of `fromEpoch` (both networks, their state, both optimisers); the run continues after that epoch. */
      fromRunId: string;
      fromEpoch: number;
      explore: Exploration;
      reason: string;
    };

/** Whether a run that has just recorded `epoch` is at a decision point: a multiple of the interval, before its last epoch. */
export function isPbtBoundary(epoch: number, settings: Pick<PbtSettings, "epochs"> & { options: Pick<PbtOptions, "interval"> }): boolean {
  return epoch > 0 && epoch < settings.epochs && epoch % settings.options.interval === 0;
}

/**
 * How many members each quantile holds among n ranked ones, as Ray's `_quantiles`: ceil(n·quantile),
 * at most floor(n/2) so that the two never overlap; none with fewer than 2 members.
 */
export function quantileSize(ranked: number, quantile: number): number {
  if (ranked <= 1) return 0;
  const size = Math.ceil(ranked * quantile);
  return size > ranked / 2 ? Math.floor(ranked / 2) : size;
}

interface Ranked {
  member: PbtMember;
  /** Its objective value at its latest epoch at or before the decided one; null for a stuck member without one. */
  value: number | null;
}

/** The objective's value at the latest epoch at or before `epoch` (curves skip epochs whose value is not finite). */
export function valueAtOrBefore(curve: readonly CurvePoint[], epoch: number): number | undefined {
  let latest: CurvePoint | undefined;
  for (const point of curve) if (point.epoch <= epoch && (latest === undefined || point.epoch > latest.epoch)) latest = point;
  return latest?.value;
}

/**
 * Worst first: stuck members below every other, then by value in the objective's direction, ties by
 * index (the earlier run ranks lower, as Ray's stable sort of its trials in the order they were added).
 * A member with no value yet, and not stuck, is left out, as Ray leaves out trials with no score.
 */
export function rankPopulation(population: readonly PbtMember[], epoch: number, direction: StudyDirection): Ranked[] {
  const ranked = population.flatMap((member): Ranked[] => {
    const value = valueAtOrBefore(member.curve, epoch);
    if (value !== undefined) return [{ member, value }];
    return member.stuck ? [{ member, value: null }] : [];
  });
  return ranked.sort((a, b) => {
    if (a.member.stuck !== b.member.stuck) return a.member.stuck ? -1 : 1;
    if (a.value !== null && b.value !== null && a.value !== b.value) return isWorse(a.value, b.value, direction) ? -1 : 1;
    if (a.value !== b.value) return a.value === null ? -1 : 1;
    return a.member.index - b.member.index;
  });
}

/**
 * The decision for run `decided.runId`, which has just recorded `decided.epoch`. The population
 * holds every run of the sweep still training or done (failed, diverged and cancelled runs left out
 * by the caller), the decided one included. A run in the bottom quantile, or stuck, copies a member
 * chosen uniformly from the top quantile that is not stuck and whose checkpoint can be copied, then
 * explores from that member's values.
 */
export function decidePbt(settings: PbtSettings, population: readonly PbtMember[], decided: { runId: string; epoch: number }): PbtDecision {
  const { epoch } = decided;
  const self = population.find((member) => member.runId === decided.runId);
  if (!self) throw new Error(`run ${decided.runId} is not in the population it is decided against`);
  if (!isPbtBoundary(epoch, settings)) return { action: "continue", reason: `epoch ${epoch} is not a decision point (every ${settings.options.interval} epochs, before the last)` };
  const ranked = rankPopulation(population, epoch, settings.direction);
  const position = ranked.findIndex((entry) => entry.member === self);
  if (position === -1) return { action: "continue", reason: `no objective value at or before epoch ${epoch} to rank by` };
  const size = quantileSize(ranked.length, settings.options.quantile);
  const top = ranked.slice(ranked.length - size);
  const standing = standingOf(ranked[position], position, size, ranked.length);
  if (standing === null) return { action: "continue", reason: `rank ${ranked.length - position} of ${ranked.length}: not in the bottom ${size}` };
  const donors = top.filter(({ member }) => member !== self && !member.stuck && copyable(member.checkpointEpoch, epoch, settings.epochs));
  if (donors.length === 0) {
    return { action: "continue", reason: `${standing}, but no top-${size} member, not stuck, has a checkpoint from epoch ${epoch} to ${settings.epochs - 1} to copy` };
  }
  const rng = createRng(deriveSeed(settings.seed, "pbt", self.index, epoch));
  const donor = donors[rng.int(donors.length)];
  const exploration = explore(donor.member.assignment, settings.space, new Set(settings.options.perturb), settings.options, rng);
  const changes = exploration.changes.map((change) => perturbationText(change)).join("; ");
  return {
    action: "exploit",
    fromRunId: donor.member.runId,
    fromEpoch: donor.member.checkpointEpoch!,
    explore: exploration,
    reason: `${standing}: copies run #${donor.member.index} (${shown(donor.value!)} at epoch ${epoch} or before) as of epoch ${donor.member.checkpointEpoch}; ${changes}`,
  };
}

/**
 * A checkpoint can be copied into a run at `epoch` when it has reached that epoch (an older one would
 * retrain epochs the run has recorded) and is not a finished run's (the copy would have nothing left to train).
 */
function copyable(checkpointEpoch: number | null, epoch: number, epochs: number): boolean {
  return checkpointEpoch !== null && checkpointEpoch >= epoch && checkpointEpoch < epochs;
}

/** Why the member at `position` (worst first) exploits, or null when it trains on as it is. */
function standingOf(entry: Ranked, position: number, size: number, total: number): string | null {
  const value = entry.value === null ? "no value" : shown(entry.value);
  if (entry.member.stuck) return `stuck (${value}), replaced first`;
  return position < size ? `rank ${total - position} of ${total} (${value}), in the bottom ${size}` : null;
}
