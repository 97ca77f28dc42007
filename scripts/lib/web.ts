// Builds the reference web client (examples/web) with esbuild: app.js (supabase-js bundled),
// index.html, style.css and config.json (the API URL and anon key it talks to).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, run } from "./cluster.ts";

export const WEB_SRC = join(ROOT, "examples/web");
/** Where `npm run stack -- start` builds it; the gateway serves this folder at /app/. */
export const WEB_DIST = join(WEB_SRC, "dist");

/**
 * Bundles the client into `outDir`. Its config.json is examples/web/config.json when that exists
 * (a hosted project's URL and anon key), else `local` (the stack's own).
 */
export async function buildWebClient(outDir: string, local: { supabaseUrl: string; anonKey: string }) {
  mkdirSync(outDir, { recursive: true });
  await run(join(ROOT, "node_modules/.bin/esbuild"), [
    join(WEB_SRC, "src/main.ts"), "--bundle", "--format=esm", "--target=es2022", "--minify", "--sourcemap",
    `--outfile=${join(outDir, "app.js")}`, "--log-level=warning",
  ]);
  for (const f of ["index.html", "style.css"]) copyFileSync(join(WEB_SRC, f), join(outDir, f));
  const own = join(WEB_SRC, "config.json");
  if (existsSync(own)) copyFileSync(own, join(outDir, "config.json"));
  else writeFileSync(join(outDir, "config.json"), JSON.stringify(local, null, 2) + "\n");
}
