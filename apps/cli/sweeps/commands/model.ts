import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MODEL_FILE, NETWORKS, WEIGHTS_FILE, type NetworkModelJson, type NetworkName } from "../../../../libs/sgan/network-files.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";
import type { SweepsApi } from "../client.ts";
import { UsageError, type Command } from "../command.ts";

/** What the API serves: the last epoch, the best (by test accuracy), or epoch N when it is one of those. */
const EPOCH = /^(last|best|[1-9][0-9]*)$/;

/** The run's checkpoint was replaced while its files came down (it is still training): they may not belong together. */
export class CheckpointChangedError extends Error {
  override name = "CheckpointChangedError";
}

export const model: Command = {
  args: ["<run id>"],
  options: ["out", "epoch"],
  synopsis: "--out DIR [--epoch last|best|N]",
  help: `Save the run's trained generator and discriminator (the classifier) in TensorFlow.js's weights
format: DIR/generator and DIR/discriminator, each a model.json and its weights.bin (docs/models.md).
--epoch last (default): the run's latest epoch; best: its best test-accuracy epoch; N: epoch N, when
it is the last or the best (the weights of those two are kept). Prints the epoch saved.
Classify with them: npm run classify -- --model DIR <idx-file|png>.`,
  async run({ api, args: [runId], options, out }) {
    const epoch = options.epoch ?? "last";
    if (!EPOCH.test(epoch)) throw new UsageError(`--epoch is last, best or an epoch number (1, 2, ...), got '${epoch}'`);
    if (options.out === undefined) throw new UsageError("model needs --out DIR: the folder to write the networks to");
    for (const network of NETWORKS) {
      const { modelJson, weights } = await networkFiles(api, runId, epoch, network);
      const dir = join(options.out, network);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, MODEL_FILE), modelJson);
      await writeFile(join(dir, WEIGHTS_FILE), weights);
      const trained = (JSON.parse(modelJson.toString("utf8")) as NetworkModelJson).userDefinedMetadata.epoch;
      out.write(escaped`wrote ${dir} (${MODEL_FILE}, ${WEIGHTS_FILE}: ${weights.length} bytes), epoch ${trained}\n`);
    }
  },
};

/** model.json is asked again after the weights: the same answer means both came from one checkpoint. */
async function networkFiles(api: SweepsApi, runId: string, epoch: string, network: NetworkName): Promise<{ modelJson: Buffer; weights: Buffer }> {
  const modelJson = await api.modelFile(runId, epoch, network, MODEL_FILE);
  const weights = await api.modelFile(runId, epoch, network, WEIGHTS_FILE);
  if (!modelJson.equals(await api.modelFile(runId, epoch, network, MODEL_FILE))) {
    throw new CheckpointChangedError(`run ${runId} checkpointed another epoch while its ${network} was downloading: run again, or once the run is final`);
  }
  return { modelJson, weights };
}
