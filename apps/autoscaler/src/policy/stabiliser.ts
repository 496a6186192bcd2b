/**
 * Against flapping: scale up at once; scale down only when every
 * recommendation of the last `windowMs` was below the current count (the
 * highest of them is the target, as the Kubernetes HPA's downscale window),
 * and by at most `step` replicas per tick. A fresh stabiliser has seen no
 * window yet, so it never scales down before `windowMs` of history.
 */
export interface StabiliserSettings {
  windowMs: number;
  step: number;
}

export interface Stabilised {
  replicas: number;
  note?: string;
}

export class Stabiliser {
  readonly #settings: StabiliserSettings;
  readonly #history: { atMs: number; replicas: number }[] = [];
  #firstAtMs: number | undefined;

  constructor(settings: StabiliserSettings) {
    this.#settings = settings;
  }

  /** Records this tick's recommendation and returns what to run given `current`. */
  next(recommended: number, current: number, nowMs: number): Stabilised {
    this.#firstAtMs ??= nowMs;
    this.#history.push({ atMs: nowMs, replicas: recommended });
    const cutoff = nowMs - this.#settings.windowMs;
    while (this.#history.length > 0 && this.#history[0]!.atMs < cutoff) this.#history.shift();
    if (recommended >= current) return { replicas: recommended };
    const windowS = this.#settings.windowMs / 1000;
    if (nowMs - this.#firstAtMs < this.#settings.windowMs) {
      return { replicas: current, note: `scale-down waits: less than ${windowS} s of history` };
    }
    const highest = Math.max(...this.#history.map((h) => h.replicas));
    if (highest >= current) {
      return { replicas: current, note: `scale-down waits: ${highest} was wanted within the last ${windowS} s` };
    }
    const replicas = Math.max(highest, current - this.#settings.step);
    return { replicas, note: `lower than ${current} for ${windowS} s (highest ${highest}); step of at most ${this.#settings.step}` };
  }
}
