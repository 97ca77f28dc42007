// `npm run types`: regenerates supabase/functions/_shared/database.types.ts from the running local
// database (npm run stack -- start), or from the database URL given as the first argument, and
// supabase/functions/_shared/contract.types.ts from supabase/contract/contract.json.
import { writeFileSync } from "node:fs";
import { dbUrl } from "./lib/cluster.ts";
import { generateTypes, TYPES_FILE } from "./lib/generate-types.ts";
import { CONTRACT_TYPES_FILE, generateContractTypes } from "./lib/contract.ts";

writeFileSync(TYPES_FILE, await generateTypes(Deno.args[0] ?? dbUrl()));
console.log(`wrote ${TYPES_FILE}`);
writeFileSync(CONTRACT_TYPES_FILE, await generateContractTypes());
console.log(`wrote ${CONTRACT_TYPES_FILE}`);
