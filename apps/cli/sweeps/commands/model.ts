import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MODEL_FILE, NETWORKS, WEIGHTS_FILE } from "../../../../libs/sgan/network-files.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";
import { UsageError, type Command } from "../command.ts";

const EPOCHS = ["last", "best"];

export const model: Command = {
  args: ["<run id>"],
  options: ["out", "epoch"],
  synopsis: "--out DIR [--epoch last|best]",
  help: `Save the run's trained generator and discriminator (the classifier) in TensorFlow.js's weights
format: DIR/generator and DIR/discriminator, each a model.json and its weights.bin (docs/models.md),
from the run's checkpoint. --epoch best works when the best epoch is the one checkpointed (the last).
Classify with them: npm run classify -- --model DIR <idx-file|png>.`,
  async run({ api, args: [runId], options, out }) {
    const epoch = options.epoch ?? "last";
    if (!EPOCHS.includes(epoch)) throw new UsageError(`--epoch is ${EPOCHS.join(" or ")}, got '${epoch}'`);
    if (options.out === undefined) throw new UsageError("model needs --out DIR: the folder to write the networks to");
    for (const network of NETWORKS) {
      const dir = join(options.out, network);
      const [modelJson, weights] = await Promise.all([MODEL_FILE, WEIGHTS_FILE].map((file) => api.modelFile(runId, epoch, network, file)));
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, MODEL_FILE), modelJson);
      await writeFile(join(dir, WEIGHTS_FILE), weights);
      out.write(escaped`wrote ${dir} (${MODEL_FILE}, ${WEIGHTS_FILE}: ${weights.length} bytes)\n`);
    }
  },
};
