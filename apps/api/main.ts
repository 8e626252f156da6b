/** The API process: `tsx apps/api/main.ts` (PORT, HOST, DATABASE_URL, REDIS_URL from the environment). */
import { createLogger } from "../../libs/log/index.ts";
import { startApi } from "./server.ts";

const log = createLogger("api");
const api = await startApi({ log, port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? "127.0.0.1" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    log.info({ signal }, "shutting down");
    void api.close().then(() => process.exit(0));
  });
}
