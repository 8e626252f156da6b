-- AlterTable
ALTER TABLE "EpochMetric" ADD COLUMN     "confusion" JSONB;
