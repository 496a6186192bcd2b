/**
 * While `body` runs, SIGINT/SIGTERM run `cleanup` before the process exits:
 * Node's default would exit at once, skipping every finally, and leave the
 * nats-server (which does not watch its parent) and its temp dir behind.
 */
export async function withInterruptCleanup<T>(cleanup: () => Promise<void>, body: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals): void => {
    void cleanup()
      .catch(() => undefined)
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await body();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
