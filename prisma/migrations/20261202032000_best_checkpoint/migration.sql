-- AlterTable
ALTER TABLE "Checkpoint" ADD COLUMN     "bestData" BYTEA,
ADD COLUMN     "bestEpoch" INTEGER;
