import { defineConfig } from "vitest/config";

// The browser suite (`npm test -- --only=browser`): Debian's Chromium through playwright-core
// against the web client the test gateway serves at /app/. Apart from the HTTP suites: one file,
// its steps in order.
export default defineConfig({
  test: {
    include: ["tests/browser/**/*.browser.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
