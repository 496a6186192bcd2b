import { defineConfig } from "vitest/config";

// One run over every package's tests. Packages are imported through their
// built dist/ (npm test builds first), exactly as the services run them.
export default defineConfig({
  test: {
    include: ["apps/*/test/**/*.test.ts", "libs/*/test/**/*.test.ts", "test/**/*.test.ts", "deploy/test/**/*.test.ts"],
    // Marks every process the run starts (TOOLMESH_TEST_RUN) and gives it a TMPDIR of
    // its own; at the end kills what is still alive and removes the directory.
    globalSetup: ["./libs/testing/dist/global-setup.js"],
    // Upper bounds for a hung test, not expectations: tests wait for conditions, and
    // on a machine loaded far beyond its two cores those can take a while.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Room for the globalSetup teardown (SIGTERM, a grace, SIGKILL) after a run that leaked.
    teardownTimeout: 30_000,
    pool: "forks",
    // Two cores: suites each start their own nats-server and processes.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
