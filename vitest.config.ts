import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // Every test file, in parallel; then the docs' examples, which change the seed world others read.
      { extends: true, test: { name: "api", include: ["tests/**/*.test.ts"], exclude: ["tests/docs-examples.test.ts"] } },
      { extends: true, test: { name: "docs", include: ["tests/docs-examples.test.ts"], sequence: { groupOrder: 1 } } },
    ],
  },
});
