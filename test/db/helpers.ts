import pg from "pg";
import {
  createSweepWithRuns,
  openDatabase,
  migrateDatabase,
  resolveDatabaseUrl,
  type Database,
  type EpochMetricInput,
  type NewRun,
  type PrismaClient,
  type Run,
  type Sweep,
} from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";

// The migration's CLI output is logged line by line; keep it out of the test report.
process.env.LOG_LEVEL ??= "warn";

export interface TestDatabase {
  url: string;
  db: Database;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** A database of its own for one test file (same server as DATABASE_URL), created through migrateDatabase. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `sgan_sweeps_test_${label}_${process.pid}`;
  const url = withDatabase(resolveDatabaseUrl(), name);
  await migrateDatabase(url);
  const db = await openDatabase(url);
  return {
    url,
    db,
    prisma: db.prisma,
    drop: async () => {
      await db.close();
      await dropDatabase(url, name);
    },
  };
}

export async function dropDatabase(url: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export function runInputs(count: number): NewRun[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    configKey: `lr=0.0002,batch=64#${index % 2}`,
    repeat: Math.floor(index / 2),
    params: { lr: 0.0002, batchSize: 64, seed: index },
    batchSize: 64,
    lr: 0.0002,
    seed: index,
    variant: "reference",
  }));
}

export function createSweep(
  prisma: PrismaClient,
  runCount: number,
  name = "sweep",
): Promise<{ sweep: Sweep; runs: Run[] }> {
  return createSweepWithRuns(
    prisma,
    { name, config: { grid: { lr: [0.0002] } }, strategy: "grid", priority: 0 },
    runInputs(runCount),
  );
}

export function epochMetrics(epoch: number, overrides: Partial<EpochMetricInput> = {}): EpochMetricInput {
  return {
    epoch,
    batches: 125,
    dLossMean: 0.7,
    dLossStd: 0.05,
    dLossMin: 0.6,
    dLossMax: 0.8,
    gLossMean: 1.1,
    gLossStd: 0.1,
    gLossMin: 0.9,
    gLossMax: 1.3,
    dAccMean: 0.51,
    dAccStd: 0.02,
    dAccMin: 0.47,
    dAccMax: 0.55,
    testAccuracy: 0.2,
    testClassLoss: 2.1,
    // 10 held-out images of 2 classes, 2 right: testAccuracy 0.2.
    confusion: [[1, 4], [4, 1]],
    samplesPerSec: 23.5,
    wallSeconds: 340.25,
    ...overrides,
  };
}

export function summary(finalTestAccuracy: number | null, bestTestAccuracy = finalTestAccuracy) {
  return { finalTestAccuracy, bestTestAccuracy, dAccBand: [0.47, 0.55] };
}
