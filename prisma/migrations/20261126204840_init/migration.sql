-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SweepStatus" AS ENUM ('active', 'completed', 'cancelled');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled', 'diverged');

-- CreateTable
CREATE TABLE "Sweep" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "strategy" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "status" "SweepStatus" NOT NULL DEFAULT 'active',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" UUID NOT NULL,
    "sweepId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "configKey" TEXT NOT NULL,
    "repeat" INTEGER NOT NULL,
    "params" JSONB NOT NULL,
    "batchSize" INTEGER NOT NULL,
    "lr" DOUBLE PRECISION NOT NULL,
    "seed" INTEGER NOT NULL,
    "variant" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "workerId" TEXT,
    "backend" TEXT,
    "device" TEXT,
    "epochsDone" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "divergedEpoch" INTEGER,
    "summary" JSONB,
    "finalTestAccuracy" DOUBLE PRECISION,
    "bestTestAccuracy" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EpochMetric" (
    "runId" UUID NOT NULL,
    "epoch" INTEGER NOT NULL,
    "batches" INTEGER NOT NULL,
    "dLossMean" DOUBLE PRECISION NOT NULL,
    "dLossStd" DOUBLE PRECISION NOT NULL,
    "dLossMin" DOUBLE PRECISION NOT NULL,
    "dLossMax" DOUBLE PRECISION NOT NULL,
    "gLossMean" DOUBLE PRECISION NOT NULL,
    "gLossStd" DOUBLE PRECISION NOT NULL,
    "gLossMin" DOUBLE PRECISION NOT NULL,
    "gLossMax" DOUBLE PRECISION NOT NULL,
    "dAccMean" DOUBLE PRECISION NOT NULL,
    "dAccStd" DOUBLE PRECISION NOT NULL,
    "dAccMin" DOUBLE PRECISION NOT NULL,
    "dAccMax" DOUBLE PRECISION NOT NULL,
    "testAccuracy" DOUBLE PRECISION NOT NULL,
    "testClassLoss" DOUBLE PRECISION NOT NULL,
    "samplesPerSec" DOUBLE PRECISION NOT NULL,
    "wallSeconds" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EpochMetric_pkey" PRIMARY KEY ("runId","epoch")
);

-- CreateTable
CREATE TABLE "SampleImage" (
    "runId" UUID NOT NULL,
    "epoch" INTEGER NOT NULL,
    "png" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SampleImage_pkey" PRIMARY KEY ("runId","epoch")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "runId" UUID NOT NULL,
    "epochsDone" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "backend" TEXT NOT NULL,
    "device" TEXT NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "queue" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeat" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" TIMESTAMP(3),
    "progress" JSONB,

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunEvent" (
    "id" BIGSERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "workerId" TEXT,
    "message" TEXT,

    CONSTRAINT "RunEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Sweep_createdAt_idx" ON "Sweep"("createdAt");

-- CreateIndex
CREATE INDEX "Run_sweepId_status_idx" ON "Run"("sweepId", "status");

-- CreateIndex
CREATE INDEX "Run_status_idx" ON "Run"("status");

-- CreateIndex
CREATE INDEX "Run_workerId_idx" ON "Run"("workerId");

-- CreateIndex
CREATE UNIQUE INDEX "Run_sweepId_index_key" ON "Run"("sweepId", "index");

-- CreateIndex
CREATE INDEX "RunEvent_runId_at_idx" ON "RunEvent"("runId", "at");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "Worker"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EpochMetric" ADD CONSTRAINT "EpochMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SampleImage" ADD CONSTRAINT "SampleImage_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunEvent" ADD CONSTRAINT "RunEvent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

