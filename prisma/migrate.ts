// `npm run db:migrate`: creates the database of DATABASE_URL if needed and applies the migrations.
import { migrateDatabase } from "../libs/db/migrate.ts";

await migrateDatabase();
