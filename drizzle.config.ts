// drizzle-kit: generates the KB's libSQL migrations from src/kb/schema.ts.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "turso",
  schema: "./src/kb/schema.ts",
  out: "./migrations/kb",
  dbCredentials: { url: process.env.LIBSQL_URL ?? "file:.data/kb.db", authToken: process.env.LIBSQL_AUTH_TOKEN },
});
