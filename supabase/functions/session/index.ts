import { createPool } from "../_shared/db.ts";
import { loadConfig } from "./config.ts";
import { createHandler } from "./handler.ts";

const config = await loadConfig();
Deno.serve(createHandler({ sql: createPool(config.dbUrl), signer: config.signer, ory: config.ory }));
