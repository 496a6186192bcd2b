export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

export function age(sinceMs: number, nowMs = Date.now()): string {
  return sinceMs > 0 ? `${duration(nowMs - sinceMs)} ago` : "–";
}

export const percent = (x: number): string => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 1 : 0)}%`;

export const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
