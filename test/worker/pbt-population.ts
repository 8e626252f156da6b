// The two-member pbt population the worker tests train. Seed 10 draws DONOR_LR for run #0 and HELD_LR
// for run #1; explore moves a copied DONOR_LR one place, to 1e-6 or 4e-3. The objective is the
// discriminator's loss, not the held-out accuracy of 16 images: at lr 1e-6 it stays where it started,
// so the held run is the worse one at a boundary.
export const DONOR_LR = 2e-3;
export const HELD_LR = 1e-6;

export function heldPopulation(name: string, epochs: number) {
  return {
    name,
    strategy: "pbt",
    seed: 10,
    pbt: { population: 2, interval: 2, resampleProbability: 0 },
    fixed: { epochs, dataset: "mnist", imgSize: 28, limit: 64 },
    parameters: { batchSize: 32, lr: { choice: [HELD_LR, DONOR_LR, 4e-3] } },
    objective: { metric: "dLoss" },
  };
}
