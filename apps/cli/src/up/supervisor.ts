import type { NatsServerHandle, ServiceProcess } from "@toolmesh/local";

/** Budget of a graceful stop: services drain, then whatever is left is killed, then NATS. */
const SERVICE_GRACE_MS = 6_000;
const NATS_GRACE_MS = 2_500;

/**
 * What one `up` has started, and the two ways to stop it. The services run in
 * process groups of their own (a terminal's Ctrl-C reaches only `up`), so
 * stopping is `up`'s job: a graceful stop that ends within 10 s whatever the
 * services do, and a kill that ends everything at once.
 */
export class StackProcesses {
  nats: NatsServerHandle | undefined;
  readonly services: ServiceProcess[] = [];
  readonly #inProcess: (() => Promise<void>)[] = [];
  #stopping: Promise<void> | undefined;

  /** Something `up` runs in its own process (the MCP gateway), closed first on stop. */
  onStop(close: () => Promise<void>): void {
    this.#inProcess.push(close);
  }

  /** SIGTERM to every service at once (each drains), their groups SIGKILLed after 6 s, then NATS. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.all(this.#inProcess.map((close) => close().catch(() => undefined)));
      await Promise.all(this.services.map((service) => service.stop(SERVICE_GRACE_MS)));
      await this.nats?.stop({ graceMs: NATS_GRACE_MS });
    })();
    return this.#stopping;
  }

  /** SIGKILL to everything now: the services' whole groups (their workers too) and NATS. */
  killNow(): void {
    for (const service of this.services) service.kill();
    const natsPid = this.nats?.pid;
    if (natsPid !== undefined) {
      try {
        process.kill(natsPid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
}

/**
 * Ctrl-C and SIGTERM for `up`: the first asks for a graceful stop (and aborts
 * whatever start-up step is waiting), a second one kills at once.
 */
export class StopSignals {
  readonly controller = new AbortController();
  readonly requested: Promise<string>;
  #resolve: (signal: string) => void = () => undefined;
  readonly #onSignal: (signal: NodeJS.Signals) => void;

  constructor(onSecond: () => void) {
    this.requested = new Promise((resolve) => (this.#resolve = resolve));
    this.#onSignal = (signal) => {
      if (this.controller.signal.aborted) {
        onSecond();
        return;
      }
      this.controller.abort(new Error(`${signal} received`));
      this.#resolve(signal);
    };
    process.on("SIGINT", this.#onSignal);
    process.on("SIGTERM", this.#onSignal);
    process.on("SIGHUP", this.#onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    process.off("SIGINT", this.#onSignal);
    process.off("SIGTERM", this.#onSignal);
    process.off("SIGHUP", this.#onSignal);
  }
}

/** Thrown by start-up steps cut short by a stop request. */
export class StartInterrupted extends Error {
  override readonly name = "StartInterrupted";
}

/** `promise`, or StartInterrupted as soon as `signal` aborts. */
export function unlessStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new StartInterrupted("stopped during start-up"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new StartInterrupted("stopped during start-up"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
