import type { PrismaClient } from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import type { Publisher, RunQueue } from "../queue/index.ts";

/** What the sweep operations act on: the record (PostgreSQL), the queue, and the live channel. */
export interface ServiceContext {
  db: PrismaClient;
  queue: RunQueue;
  publisher: Publisher;
  log: Logger;
}
