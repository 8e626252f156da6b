import { SWEEPABLE_FIELDS, type SweepableField } from "../fields.ts";

/**
 * Why a sweepable field cannot change between two epochs of one run that continues from the same
 * checkpoint, or null when it can. A Record, so that a field added to the sweepable ones must be
 * decided here. What libs/sgan reads: learning rates and betas are passed to each optimiser step
 * (Adam's moments stay valid, as in torch when a param group's betas change), label smoothing,
 * instance noise, dStepsPerG and the generator's loss are read per batch and hold no state; the
 * checkpoint stores the optimisers' step counts itself, so dStepsPerG does not shift them.
 */
export const FROZEN_MID_RUN: Record<SweepableField, string | null> = {
  lr: null,
  lrD: null,
  lrG: null,
  b1: null,
  b2: null,
  b1D: null,
  b1G: null,
  labelSmoothing: null,
  instanceNoise: null,
  dStepsPerG: null,
  generatorLoss: null,
  batchSize:
    "the learning-rate schedule and the instance-noise anneal place a run by the batches it has trained, so another batch size moves it elsewhere in its schedule",
  latentDim: "it is the generator's input width: the checkpoint's weights have that shape",
  variant: "it selects the model's losses and layers: the checkpoint's tensors belong to one variant",
  architecture: "it selects the networks: the checkpoint's tensors belong to one architecture",
  classHead: "it selects the discriminator's output layers: the checkpoint's tensors belong to one head",
  spectralNorm: "the checkpoint holds spectral-norm state only for networks built with it",
  labeled: "it chooses which training images carry labels, so it defines the task the objective compares",
  evalEma: "the checkpoint holds weight averages only when evalEma > 0, built at that decay",
  lrSchedule: "the schedule is computed from the run's start, so another shape jumps the rate mid-run; perturbing lr, lrD or lrG is PBT's schedule",
  lrDecay: "the schedule is computed from the run's start, so another decay jumps the rate by (new/old)^epochs mid-run; perturb lr, lrD or lrG instead",
  lrStepEpochs: "the schedule is computed from the run's start, so another step length jumps the rate mid-run; perturb lr, lrD or lrG instead",
  lrMinFactor: "the cosine schedule is computed from the run's start, so another floor jumps the rate mid-run; perturb lr, lrD or lrG instead",
  warmupEpochs: "warm-up is counted from the run's start: a longer one would ramp a trained run's rate down again",
};

/** The fields PBT may perturb, in the sweepable fields' order. */
export const PERTURBABLE_FIELDS: readonly SweepableField[] = SWEEPABLE_FIELDS.filter((field) => FROZEN_MID_RUN[field] === null);
