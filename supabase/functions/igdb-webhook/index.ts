import { integerSetting, readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { createHandler } from "./handler.ts";
import { IgdbClient } from "./igdb.ts";

const config = readConfig(
  ["SUPABASE_DB_URL", "IGDB_WEBHOOK_SECRET", "TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET"],
  ["IGDB_API_URL", "TWITCH_TOKEN_URL", "IGDB_TIMEOUT_MS"],
);
const timeoutMs = integerSetting("IGDB_TIMEOUT_MS", config.IGDB_TIMEOUT_MS, 8000);
const igdb = new IgdbClient({
  apiUrl: config.IGDB_API_URL ?? "https://api.igdb.com/v4",
  tokenUrl: config.TWITCH_TOKEN_URL ?? "https://id.twitch.tv/oauth2/token",
  clientId: config.TWITCH_CLIENT_ID,
  clientSecret: config.TWITCH_CLIENT_SECRET,
  timeoutMs,
});
Deno.serve(createHandler({ sql: createPool(config.SUPABASE_DB_URL), secret: config.IGDB_WEBHOOK_SECRET, igdb }));
