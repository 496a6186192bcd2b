/**
 * Time as a workflow run sees it. Injected so that deadlines, backoff and
 * join deadlines can be driven by a fake clock in tests instead of waiting.
 */
export interface Clock {
    /** Wall-clock milliseconds (what deadlines and stored timestamps are in). */
    now(): number;
    setTimeout(callback: () => void, ms: number): TimerHandle;
    clearTimeout(handle: TimerHandle | undefined): void;
}
/**
 * A real Node timer or a fake clock's id. Kept a subtype of what the global
 * clearTimeout accepts, so code that holds a run's real timers can still clear them.
 */
export type TimerHandle = NodeJS.Timeout | number;
export declare const systemClock: Clock;
