-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'pruned';

-- AlterEnum
ALTER TYPE "SweepStatus" ADD VALUE 'paused' BEFORE 'completed';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "prunedReason" TEXT;

-- AlterTable
ALTER TABLE "Sweep" ADD COLUMN     "trialBudget" INTEGER;
