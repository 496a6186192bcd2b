/**
 * Runs `task(0..total-1)` with at most `concurrency` in flight: each lane
 * starts the next index as soon as its previous call settles, so the system
 * under test always sees `concurrency` outstanding requests. The first
 * failure stops the lanes from starting more and is rethrown.
 */
export async function runPool(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < total) {
      const index = next++;
      try {
        await task(index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, lane);
  // allSettled first so that no lane is still running when we rethrow.
  const outcomes = await Promise.allSettled(lanes);
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (rejected) throw rejected.reason;
}
