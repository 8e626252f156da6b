import { advanceStudy } from "./study.ts";
import type { ServiceContext } from "./context.ts";

/**
 * After a write that gives the study room (resume, extend): the runs of the trials it asks for now.
 * The write is stored by then, so a failure here is logged, not answered: the reconciler advances the
 * study again.
 */
export async function askNewTrials(ctx: ServiceContext, sweepId: string): Promise<string[]> {
  try {
    return (await advanceStudy(ctx, sweepId)).map((run) => run.id);
  } catch (error) {
    ctx.log.warn({ err: (error as Error).message, sweepId }, "study could not ask for trials; the reconciler retries");
    return [];
  }
}
