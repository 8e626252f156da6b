import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "../../libs/log/index.ts";
import { isTransientDbError, retryDbWrite } from "../../libs/worker/retry.ts";

const log = createLogger("retry-test");

describe("retryDbWrite", () => {
  it("retries connection errors with backoff until the write succeeds", async () => {
    let calls = 0;
    const result = await retryDbWrite(
      "test",
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
        return "written";
      },
      { log, initialDelayMs: 5, maxDelayMs: 10 },
    );
    assert.equal(result, "written");
    assert.equal(calls, 3);
  });

  it("throws other errors at once", async () => {
    let calls = 0;
    await assert.rejects(
      retryDbWrite("test", async () => {
        calls++;
        throw new Error("duplicate key value violates unique constraint");
      }, { log, initialDelayMs: 5 }),
      /duplicate key/,
    );
    assert.equal(calls, 1);
  });

  it("gives up after giveUpAfterMs", async () => {
    await assert.rejects(
      retryDbWrite("test", async () => {
        throw Object.assign(new Error("Connection terminated unexpectedly"), {});
      }, { log, initialDelayMs: 5, maxDelayMs: 5, giveUpAfterMs: 30 }),
      /terminated/,
    );
  });

  it("recognises the errors Prisma's pg adapter and PostgreSQL give while the server restarts", () => {
    assert.ok(isTransientDbError({ meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } }));
    assert.ok(isTransientDbError({ meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } } }));
    assert.ok(isTransientDbError({ meta: { driverAdapterError: { cause: { kind: "postgres", code: "57P01" } } } }));
    assert.ok(isTransientDbError(Object.assign(new Error("the database system is starting up"), { code: "57P03" })));
    assert.ok(!isTransientDbError({ meta: { driverAdapterError: { cause: { kind: "UniqueConstraintViolation" } } } }));
    assert.ok(!isTransientDbError(new Error("run 1 does not exist")));
  });
});
