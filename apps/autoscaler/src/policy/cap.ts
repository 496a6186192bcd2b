import { shareOf } from "./shares.js";

/**
 * The cap on instances across pools. When the pools together want more
 * than `maxInstances`, every pool keeps its minimum and the rest is handed
 * out by share (water-filling: a pool that wants less than its share gives
 * the difference back to the others, in proportion to theirs). Under the
 * cap nothing changes.
 */
export interface CapRequest {
  pool: string;
  want: number;
  min: number;
}

export function splitCap(requests: readonly CapRequest[], maxInstances: number): Map<string, number> {
  const granted = new Map(requests.map((r) => [r.pool, Math.min(r.want, r.min)]));
  const total = requests.reduce((a, r) => a + r.want, 0);
  if (total <= maxInstances) return new Map(requests.map((r) => [r.pool, r.want]));
  const used = (): number => [...granted.values()].reduce((a, b) => a + b, 0);
  for (;;) {
    const remaining = maxInstances - used();
    const hungry = requests.filter((r) => granted.get(r.pool)! < r.want);
    if (remaining <= 0 || hungry.length === 0) break;
    const shares = hungry.reduce((a, r) => a + shareOf(r.pool), 0);
    let progressed = false;
    for (const r of hungry) {
      const portion = Math.floor((remaining * shareOf(r.pool)) / shares);
      const give = Math.min(portion, r.want - granted.get(r.pool)!);
      if (give > 0) {
        granted.set(r.pool, granted.get(r.pool)! + give);
        progressed = true;
      }
    }
    if (!progressed) {
      // Fewer instances left than hungry pools: one each, largest share first.
      const byShare = [...hungry].sort((a, b) => shareOf(b.pool) - shareOf(a.pool) || a.pool.localeCompare(b.pool));
      let left = remaining;
      for (const r of byShare) {
        if (left === 0) break;
        granted.set(r.pool, granted.get(r.pool)! + 1);
        left -= 1;
      }
    }
  }
  return granted;
}
