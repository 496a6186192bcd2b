import { defineConfig } from "vitest/config";

// One run over every package's tests. Packages are imported through their
// built dist/ (npm test builds first), exactly as the services run them.
export default defineConfig({
  test: {
    include: ["apps/*/test/**/*.test.ts", "libs/*/test/**/*.test.ts", "test/**/*.test.ts", "deploy/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: suites each start their own nats-server and processes.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
