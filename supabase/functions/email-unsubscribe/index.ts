import { ConfigError, readConfig } from "../_shared/config.ts";
import { createPool } from "../_shared/db.ts";
import { unsubscribeKey } from "../_shared/unsubscribe-token.ts";
import { createHandler } from "./handler.ts";

const config = readConfig(["SUPABASE_DB_URL"], ["EMAIL_UNSUBSCRIBE_SECRET", "EMAIL_UNSUBSCRIBE_PAGE_URL"]);
if (config.EMAIL_UNSUBSCRIBE_PAGE_URL && !/^https?:\/\//.test(config.EMAIL_UNSUBSCRIBE_PAGE_URL)) {
  throw new ConfigError("EMAIL_UNSUBSCRIBE_PAGE_URL must be an http(s) URL.");
}
Deno.serve(createHandler({
  sql: createPool(config.SUPABASE_DB_URL, { max: 2 }),
  // Without it no email was sent with a link to check (email-delivery needs it to send).
  unsubscribeKey: config.EMAIL_UNSUBSCRIBE_SECRET ? unsubscribeKey(config.EMAIL_UNSUBSCRIBE_SECRET) : null,
  pageUrl: config.EMAIL_UNSUBSCRIBE_PAGE_URL,
}));
