// Debian's Chromium for the browser suite (tests/browser), installed with apt like PostgreSQL is
// when root on Debian; never a browser build downloaded by a tool (no `playwright install`).
import { existsSync } from "node:fs";
import { run } from "./cluster.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** The Chromium executable; installs Debian's package when root on Debian, else says how. */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (Deno.uid?.() !== 0 || !existsSync("/etc/debian_version")) {
    throw new Error(`The browser suite needs Debian's Chromium at ${CHROMIUM}. Install it with:\n  sudo apt-get install chromium`);
  }
  console.log("Installing chromium ...");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], { env });
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env });
  return CHROMIUM;
}
