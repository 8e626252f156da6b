// Why a run ended, worded once: its status log, the live run-status event and the CLI's show say it alike.

/** The error, the pruner's reason, or the epoch it diverged at; null for a run that ended for none of these. */
export function endReason(details: { error?: string | null; divergedEpoch?: number | null; prunedReason?: string | null }): string | null {
  return details.error ?? details.prunedReason ?? (details.divergedEpoch == null ? null : `diverged at epoch ${details.divergedEpoch}`);
}
