import type { ToolmeshClient } from "@toolmesh/client";

/**
 * Watches the coordinator's tool list (ListTools every `intervalMs` while
 * anyone listens) and tells listeners when it changed: an MCP pool came or
 * went, or changed its tools. One watcher serves every session of a process,
 * so a gateway asks once per interval however many clients it has.
 */
export class ToolListWatcher {
  readonly #client: ToolmeshClient;
  readonly #intervalMs: number;
  readonly #listeners = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  #last: string | undefined;
  #polling = false;

  constructor(client: ToolmeshClient, intervalMs = 10_000) {
    this.#client = client;
    this.#intervalMs = intervalMs;
  }

  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
      this.#timer.unref();
      void this.poll();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        this.#last = undefined;
      }
    };
  }

  /** One look at ListTools; a failure (coordinator away) changes nothing. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const tools = await this.#client.listTools();
      const fingerprint = JSON.stringify(tools.map((t) => [t.name, t.description, t.argsSchema, t.shareable, t.destructive, t.openWorld]));
      const changed = this.#last !== undefined && fingerprint !== this.#last;
      this.#last = fingerprint;
      if (changed) for (const listener of this.#listeners) listener();
    } catch {
      // the next poll tries again
    } finally {
      this.#polling = false;
    }
  }
}
