-- AlterTable
ALTER TABLE "PbtDecision" ADD COLUMN "previousParams" JSONB;
