/** Spec limits small enough for the tests to reach each one. */
export const testLimits = {
  maxTasks: 10,
  maxSpecBytes: 10_000,
  defaultTimeoutMs: 5000,
  maxTimeoutMs: 60_000,
  maxAttempts: 5,
  maxCalls: 100,
  maxItems: 50,
};
