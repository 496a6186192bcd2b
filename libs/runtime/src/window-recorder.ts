/** What one pool instance saw over one window. */
export interface WindowMeasure {
  finished: number;
  failed: number;
  /** Calls finished per second. */
  throughput: number;
  meanMs: number;
  errorRate: number;
  /** Mean reported quality of successful calls; 1 when none reported one. */
  quality: number;
  /** Mean in-flight / limit, 0..1. */
  saturation: number;
  /** Pulls came back full: work was waiting. */
  backlog: boolean;
}

/**
 * Collects a window's measurements as they happen (calls finishing,
 * quality scores, how busy the slots were, whether pulls came back full)
 * and hands them over once per window.
 */
export class WindowRecorder {
  #startedAt = performance.now();
  #finished = 0;
  #failed = 0;
  #latencySum = 0;
  #qualitySum = 0;
  #qualityCount = 0;
  #saturationSum = 0;
  #saturationSamples = 0;
  #fullPulls = 0;
  #pulls = 0;

  finished(ms: number, ok: boolean, quality?: number): void {
    this.#finished += 1;
    this.#latencySum += ms;
    if (!ok) this.#failed += 1;
    else if (quality !== undefined) {
      this.#qualitySum += Math.min(1, Math.max(0, quality));
      this.#qualityCount += 1;
    }
  }

  /** Called on a timer: how busy the slots are right now. */
  sample(inFlight: number, limit: number): void {
    this.#saturationSum += limit > 0 ? Math.min(1, inFlight / limit) : 0;
    this.#saturationSamples += 1;
  }

  pulled(asked: number, got: number): void {
    this.#pulls += 1;
    if (asked > 0 && got >= asked) this.#fullPulls += 1;
  }

  take(): WindowMeasure {
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.#startedAt) / 1000);
    const saturation = this.#saturationSamples ? this.#saturationSum / this.#saturationSamples : 0;
    const measure: WindowMeasure = {
      finished: this.#finished,
      failed: this.#failed,
      throughput: this.#finished / seconds,
      meanMs: this.#finished ? this.#latencySum / this.#finished : 0,
      errorRate: this.#finished ? this.#failed / this.#finished : 0,
      quality: this.#qualityCount ? this.#qualitySum / this.#qualityCount : 1,
      saturation,
      // At the limit the whole window, nothing is pulled; it stays busy because work keeps coming.
      backlog: this.#fullPulls > 0 || (this.#pulls === 0 && saturation >= 0.85),
    };
    this.#startedAt = now;
    this.#finished = this.#failed = this.#latencySum = this.#qualitySum = this.#qualityCount = 0;
    this.#saturationSum = this.#saturationSamples = this.#fullPulls = this.#pulls = 0;
    return measure;
  }
}
