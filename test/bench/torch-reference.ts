/**
 * The seed's PyTorch training step (test/bench/reference_sgan_torch.py, the repository's copy of
 * shared/bench/reference_sgan_torch.py): the speed anchor every benchmark compares with.
 */
import { resolve } from "node:path";

export const REFERENCE_SCRIPT = resolve(import.meta.dirname, "reference_sgan_torch.py");

/** samples/s per batch size from the script's lines "... batch=64: 8.6 ms/iter, 7454 samples/s". */
export function parseReferenceRates(stdout: string): Map<number, number> {
  const rates = new Map<number, number>();
  for (const match of stdout.matchAll(/batch=(\d+): [\d.]+ ms\/iter, (\d+) samples\/s/g)) rates.set(Number(match[1]), Number(match[2]));
  return rates;
}
