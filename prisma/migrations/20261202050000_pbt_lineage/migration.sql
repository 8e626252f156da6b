-- CreateTable
CREATE TABLE "PbtDecision" (
    "id" UUID NOT NULL,
    "sweepId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "epoch" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "fromRunId" UUID,
    "fromEpoch" INTEGER,
    "changes" JSONB,
    "params" JSONB,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PbtDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PbtDecision_sweepId_createdAt_idx" ON "PbtDecision"("sweepId", "createdAt");

-- CreateIndex
CREATE INDEX "PbtDecision_fromRunId_idx" ON "PbtDecision"("fromRunId");

-- CreateIndex
CREATE UNIQUE INDEX "PbtDecision_runId_epoch_key" ON "PbtDecision"("runId", "epoch");

-- AddForeignKey
ALTER TABLE "PbtDecision" ADD CONSTRAINT "PbtDecision_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PbtDecision" ADD CONSTRAINT "PbtDecision_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PbtDecision" ADD CONSTRAINT "PbtDecision_fromRunId_fkey" FOREIGN KEY ("fromRunId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
