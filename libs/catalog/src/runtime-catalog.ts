import { Kvm, type KV, type KvWatchEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { jetStreamReplicas, registerPool, type Logger } from "@toolmesh/core";
import type { RuntimeToolSource, ToolSpec } from "@toolmesh/tools";
import { CATALOG_BUCKET, type RuntimeToolEntry } from "./entry.js";
import { jsonSchemaArgs } from "./json-args.js";

/** Opens (creating when missing) the TM_CATALOG bucket: one value per tool, no history. */
export function openCatalog(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(CATALOG_BUCKET, { history: 1, storage: "file", replicas: jetStreamReplicas() });
}

interface Known {
  entry: RuntimeToolEntry;
  spec: ToolSpec;
  revision: number;
}

/**
 * The run-time tools one process knows, as a RuntimeToolSource for
 * @toolmesh/tools: each entry's arguments are checked against the
 * upstream's JSON Schema (ajv), and learning a tool registers its pool's
 * range. `watch` keeps it in step with TM_CATALOG.
 */
export class RuntimeCatalog implements RuntimeToolSource {
  readonly #tools = new Map<string, Known>();
  readonly #log: Logger | undefined;
  #stop: (() => void) | undefined;

  constructor(log?: Logger) {
    this.#log = log;
  }

  get(name: string): ToolSpec | undefined {
    return this.#tools.get(name)?.spec;
  }

  list(): ToolSpec[] {
    return [...this.#tools.values()].map((k) => k.spec);
  }

  entries(): RuntimeToolEntry[] {
    return [...this.#tools.values()].map((k) => k.entry).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Learns (or replaces) a tool; an older revision than the one known is ignored. */
  apply(entry: RuntimeToolEntry, revision = 0): void {
    const known = this.#tools.get(entry.name);
    if (known && revision > 0 && known.revision > revision) return;
    const { args, problem } = jsonSchemaArgs(entry.inputSchema);
    if (problem) this.#log?.warn({ tool: entry.name, problem }, "run-time tool's arguments go unchecked");
    registerPool(entry.pool, { minLimit: entry.minLimit, maxLimit: entry.maxLimit });
    const spec: ToolSpec = {
      name: entry.name,
      pool: entry.pool,
      description: entry.description,
      args,
      shareable: entry.shareable,
      destructive: entry.destructive,
      openWorld: entry.openWorld,
    };
    this.#tools.set(entry.name, { entry, spec, revision });
  }

  remove(name: string, revision = 0): void {
    const known = this.#tools.get(name);
    if (known && revision > 0 && known.revision > revision) return;
    this.#tools.delete(name);
  }

  /**
   * Follows TM_CATALOG: resolves once every stored tool is known, then
   * applies puts and deletes as they happen until `stop`.
   */
  static async watch(nc: NatsConnection, log?: Logger): Promise<RuntimeCatalog> {
    const catalog = new RuntimeCatalog(log);
    const kv = await openCatalog(nc);
    // Updates first, then what is stored: nothing written in between is missed (revisions order the two).
    const updates = await kv.watch({ include: "updates" });
    catalog.#stop = () => updates.stop();
    void (async () => {
      for await (const change of updates) catalog.#onChange(change);
    })().catch((err: unknown) => log?.warn({ err }, "run-time catalog watch ended"));
    for await (const key of await kv.keys()) {
      const stored = await kv.get(key);
      if (stored) catalog.#onChange({ ...stored, isUpdate: false });
    }
    return catalog;
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  #onChange(change: KvWatchEntry): void {
    if (change.operation !== "PUT") {
      this.remove(change.key, change.revision);
      return;
    }
    try {
      this.apply(change.json<RuntimeToolEntry>(), change.revision);
    } catch (err) {
      this.#log?.warn({ err, key: change.key }, "ignoring an unreadable run-time catalog entry");
    }
  }
}

/**
 * A pool instance's view of its upstream, made the catalog's: every tool
 * in `entries` is written, and every stored tool of the pool's prefix that
 * the upstream no longer lists is deleted. Returns the names removed.
 */
export async function publishPoolTools(kv: KV, toolPrefix: string, entries: readonly RuntimeToolEntry[]): Promise<string[]> {
  const keep = new Set(entries.map((e) => e.name));
  for (const entry of entries) await kv.put(entry.name, JSON.stringify(entry));
  const removed: string[] = [];
  for await (const key of await kv.keys(`${toolPrefix}.>`)) {
    if (!keep.has(key)) {
      await kv.delete(key);
      removed.push(key);
    }
  }
  return removed;
}
