import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { PubAckPublisher, decodeJson, encodeJson, jetStreamReplicas, putOutput, type ObjectStore } from "@toolmesh/core";
import { systemClock, type Clock } from "../workflow/clock.js";
import { packSpec, unpackSpec } from "./packed-spec.js";
import { WorkflowRun, type RunEffects, type RunSnapshot, type TaskRecord, type TaskSnapshot } from "../workflow/run.js";

/** KV bucket of workflow state: one key per workflow, one per task. */
export const WORKFLOWS_BUCKET = "TM_WORKFLOWS";
/** Stored workflows expire a day after their last change. */
const WORKFLOWS_TTL_MS = 24 * 60 * 60 * 1000;
/** Values above this go to the object store: a KV value must fit one NATS message. */
const MAX_VALUE_BYTES = 512 * 1024;

/** KV keys allow [-/_=.a-zA-Z0-9]: a fan-out item "grep[3]" is stored as "grep.3". */
function taskKey(workflowId: string, taskId: string): string {
  return `task.${workflowId}.${taskId.replace(/\[(\d+)\]$/, ".$1")}`;
}

/** The header's fields that change while a run lives; `calls` is not one (a successor counts its stored tasks). */
function headerPrint(run: WorkflowRun): string {
  return `${run.state}|${run.children.length}`;
}

/** KV writes a store has awaiting their acks at most: enough to keep the stream busy, few enough to bound memory. */
export const MAX_WRITES_IN_FLIGHT = 256;

/**
 * What the store needs of its KV bucket (a NATS KV is one). Narrow, so that
 * tests can keep workflow state in memory.
 */
export interface StateKv {
  get(key: string): Promise<{ operation: "PUT" | "DEL" | "PURGE"; value: Uint8Array } | null>;
  put(key: string, value: Uint8Array): Promise<number>;
  /** Live keys matching a subject filter ("*" one token, ">" the rest). */
  keys(filter: string): Promise<AsyncIterable<string>>;
}

/**
 * Workflow state in JetStream KV, so that another coordinator can resume a
 * workflow after this one dies. Writes only what changed since the last
 * save; specs and outputs too large for a KV value go to the object store.
 * `K`: the bucket's type, handed on to the lease and the attempt secret
 * that live in the same bucket.
 */
export class WorkflowStore<K extends StateKv = KV> {
  readonly #kv: K;
  readonly #outputs: ObjectStore;
  /** The clock loaded runs keep time by. */
  readonly #clock: Clock;
  /** The header as last stored, per unfinished run. */
  readonly #savedHeaders = new Map<string, string>();
  readonly #window: WriteWindow;
  /** When set, records are put through it: PubAcks on one subscription, not a nats.js request (a timer, two Errors) per put. */
  readonly #acks?: PubAckPublisher;

  /** Over an open bucket; open() is the usual way in. */
  constructor(kv: K, outputs: ObjectStore, clock: Clock = systemClock, acks?: PubAckPublisher) {
    this.#kv = kv;
    this.#outputs = outputs;
    this.#clock = clock;
    this.#window = new WriteWindow(MAX_WRITES_IN_FLIGHT);
    this.#acks = acks;
  }

  static async open(nc: NatsConnection, outputs: ObjectStore): Promise<WorkflowStore> {
    const kv = await new Kvm(nc).create(WORKFLOWS_BUCKET, {
      history: 1,
      ttl: WORKFLOWS_TTL_MS,
      storage: "file",
      replicas: jetStreamReplicas(),
    });
    const acks = new PubAckPublisher(nc, (nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    return new WorkflowStore(kv, outputs, systemClock, acks);
  }

  /** Stops the ack subscription (puts still waiting fail). */
  close(): void {
    this.#acks?.close();
  }

  /** A KV put: the same message the bucket's put() sends, to `$KV.<bucket>.<key>`. */
  #put(key: string, bytes: Uint8Array): Promise<unknown> {
    return this.#acks ? this.#acks.publish(`$KV.${WORKFLOWS_BUCKET}.${key}`, bytes) : this.#kv.put(key, bytes);
  }

  get kv(): K {
    return this.#kv;
  }

  /**
   * Writes the task records `run` marked (run.writes) and its header when
   * that changed. The puts go out without waiting for each other's acks (at
   * most MAX_WRITES_IN_FLIGHT at once across runs; JetStream stores one
   * connection's publishes in order); the save resolves once all landed and
   * rejects with the first failure, putting the unwritten tasks back.
   */
  async save(run: WorkflowRun): Promise<void> {
    const ids = run.writes.take();
    const writes: Array<Promise<unknown>> = [];
    try {
      for (const id of ids) {
        const task = run.tasks.get(id);
        if (!task) continue;
        // Issued in one synchronous stretch while the window has room, the puts leave in one socket write.
        if (this.#window.full) await this.#window.room();
        writes.push(this.#window.put(() => this.#saveTask(run.id, task)));
      }
      // Tasks first: a header that says "succeeded" must not be stored before the outputs it speaks of.
      await Promise.all(writes);
    } catch (err) {
      await Promise.allSettled(writes);
      run.writes.putBack(ids);
      throw err;
    }
    const header = headerPrint(run);
    if (this.#savedHeaders.get(run.id) !== header) {
      await this.#put(`wf.${run.id}`, await this.#headerBytes(run.snapshot()));
      this.#savedHeaders.set(run.id, header);
    }
    if (run.done) this.#savedHeaders.delete(run.id);
  }

  #saveTask(workflowId: string, task: TaskRecord): Promise<unknown> {
    const bytes = encodeJson(WorkflowRun.taskSnapshot(task));
    if (bytes.length > MAX_VALUE_BYTES && task.output) return this.#saveLargeTask(workflowId, task);
    return this.#put(taskKey(workflowId, task.spec.id), bytes);
  }

  /** A large synthesis output: kept beside worker outputs, by reference. */
  async #saveLargeTask(workflowId: string, task: TaskRecord): Promise<void> {
    task.outputRef = await putOutput(this.#outputs, `${workflowId}/${task.spec.id}/coordinator`, task.output!);
    delete task.output;
    await this.#put(taskKey(workflowId, task.spec.id), encodeJson(WorkflowRun.taskSnapshot(task)));
  }

  async #headerBytes(snapshot: RunSnapshot): Promise<Uint8Array> {
    const spec = packSpec(snapshot.spec);
    const bytes = encodeJson({ ...snapshot, spec });
    if (bytes.length <= MAX_VALUE_BYTES) return bytes;
    const specRef = await putOutput(this.#outputs, `${snapshot.id}/spec`, spec as unknown as Record<string, unknown>);
    return encodeJson({ ...snapshot, spec: undefined, specRef });
  }

  /**
   * A stored workflow, rebuilt (not resumed), or undefined. Tasks without a
   * record are as the spec makes them (pending): they had not started, or
   * started so recently that resume() sends them again under the same id.
   */
  async load(id: string, effects: RunEffects): Promise<WorkflowRun | undefined> {
    const entry = await this.#kv.get(`wf.${id}`);
    if (!entry || entry.operation !== "PUT") return undefined;
    const stored = decodeJson<RunSnapshot & { specRef?: { name: string; bytes: number } }>(entry.value);
    if (stored.specRef) {
      const blob = await this.#outputs.getBlob(stored.specRef.name);
      if (!blob) return undefined;
      stored.spec = decodeJson(blob);
    }
    stored.spec = unpackSpec(stored.spec);
    const keys: string[] = [];
    for await (const key of await this.#kv.keys(`task.${id}.>`)) keys.push(key);
    const tasks: TaskSnapshot[] = [];
    // Read MAX_WRITES_IN_FLIGHT at a time, not one round trip after another: a 1,000-task workflow loads in a few.
    for (let i = 0; i < keys.length; i += MAX_WRITES_IN_FLIGHT) {
      const entries = await Promise.all(keys.slice(i, i + MAX_WRITES_IN_FLIGHT).map((key) => this.#kv.get(key)));
      for (const entry of entries) if (entry?.operation === "PUT") tasks.push(decodeJson<TaskSnapshot>(entry.value));
    }
    // Items after their parents, in index order, as they were created.
    tasks.sort(
      (a, b) =>
        (a.itemOf ? 1 : 0) - (b.itemOf ? 1 : 0) ||
        (a.itemOf?.parent ?? "").localeCompare(b.itemOf?.parent ?? "") ||
        (a.itemOf?.index ?? 0) - (b.itemOf?.index ?? 0),
    );
    const run = WorkflowRun.restore(stored, tasks, effects, this.#clock);
    if (!run.done) this.#savedHeaders.set(run.id, headerPrint(run));
    return run;
  }

  /** Ids of stored workflows that have not finished (of those `wanted` keeps: only their headers are read). */
  async running(wanted: (id: string) => boolean = () => true): Promise<string[]> {
    const ids: string[] = [];
    // The listing runs over a consumer: a header rewritten meanwhile is listed again.
    const seen = new Set<string>();
    for await (const key of await this.#kv.keys("wf.*")) {
      if (seen.has(key) || !wanted(key.slice(3))) continue;
      seen.add(key);
      const entry = await this.#kv.get(key);
      if (entry?.operation === "PUT" && decodeJson<Pick<RunSnapshot, "state">>(entry.value).state === "running") ids.push(key.slice(3));
    }
    return ids;
  }
}

/** Bounds the writes awaiting their acks: put() starts one at once; while `full`, wait for room() first. */
class WriteWindow {
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  get full(): boolean {
    return this.#inFlight >= this.max;
  }

  async room(): Promise<void> {
    while (this.full) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Starts `write`; the promise it returns settles with its ack. */
  put(write: () => Promise<unknown>): Promise<unknown> {
    this.#inFlight += 1;
    const landed = write().finally(() => {
      this.#inFlight -= 1;
      this.#waiting.shift()?.();
    });
    // The caller awaits it; handled here too, so a failure is not reported unhandled while the caller still issues others.
    landed.catch(() => undefined);
    return landed;
  }
}
