import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { decodeJson, encodeJson, putOutput, type ObjectStore } from "@toolmesh/core";
import { systemClock, type Clock } from "../workflow/clock.js";
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

/** What identifies a stored version of a task: if none of it changed, nothing needs writing. */
function fingerprint(task: TaskRecord): string {
  return [
    task.state,
    task.attempt,
    task.sharedFrom,
    task.items?.length,
    task.unneeded,
    task.deadlineMs,
    task.startedAtMs,
    task.worker,
    task.outputRef?.name,
  ].join("|");
}

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
  /** Last saved fingerprint per run: header and each task. */
  readonly #saved = new Map<string, { header: string; tasks: Map<string, string> }>();

  /** Over an open bucket; open() is the usual way in. */
  constructor(kv: K, outputs: ObjectStore, clock: Clock = systemClock) {
    this.#kv = kv;
    this.#outputs = outputs;
    this.#clock = clock;
  }

  static async open(nc: NatsConnection, outputs: ObjectStore): Promise<WorkflowStore> {
    const kv = await new Kvm(nc).create(WORKFLOWS_BUCKET, { history: 1, ttl: WORKFLOWS_TTL_MS, storage: "file" });
    return new WorkflowStore(kv, outputs);
  }

  get kv(): K {
    return this.#kv;
  }

  /** Writes what changed in `run` since its last save. */
  async save(run: WorkflowRun): Promise<void> {
    const saved = this.#saved.get(run.id) ?? { header: "", tasks: new Map<string, string>() };
    const writes: Array<Promise<unknown>> = [];
    for (const task of run.tasks.values()) {
      const print = fingerprint(task);
      if (saved.tasks.get(task.spec.id) === print) continue;
      writes.push(this.#saveTask(run.id, task).then(() => saved.tasks.set(task.spec.id, print)));
    }
    // Tasks first: a header that says "succeeded" must not be stored before the outputs it speaks of.
    await Promise.all(writes);
    const header = [run.state, run.children.length, run.calls, run.tasks.size].join("|");
    if (saved.header !== header) {
      await this.#kv.put(`wf.${run.id}`, await this.#headerBytes(run.snapshot()));
      saved.header = header;
    }
    this.#saved.set(run.id, saved);
    if (run.done) this.#saved.delete(run.id);
  }

  async #saveTask(workflowId: string, task: TaskRecord): Promise<void> {
    let bytes = encodeJson(WorkflowRun.taskSnapshot(task));
    if (bytes.length > MAX_VALUE_BYTES && task.output) {
      // A large synthesis output: keep it beside worker outputs, by reference.
      task.outputRef = await putOutput(this.#outputs, `${workflowId}/${task.spec.id}/coordinator`, task.output);
      delete task.output;
      bytes = encodeJson(WorkflowRun.taskSnapshot(task));
    }
    await this.#kv.put(taskKey(workflowId, task.spec.id), bytes);
  }

  async #headerBytes(snapshot: RunSnapshot): Promise<Uint8Array> {
    const bytes = encodeJson(snapshot);
    if (bytes.length <= MAX_VALUE_BYTES) return bytes;
    const specRef = await putOutput(this.#outputs, `${snapshot.id}/spec`, snapshot.spec as unknown as Record<string, unknown>);
    return encodeJson({ ...snapshot, spec: undefined, specRef });
  }

  /** A stored workflow, rebuilt (not resumed), or undefined. */
  async load(id: string, effects: RunEffects): Promise<WorkflowRun | undefined> {
    const entry = await this.#kv.get(`wf.${id}`);
    if (!entry || entry.operation !== "PUT") return undefined;
    const stored = decodeJson<RunSnapshot & { specRef?: { name: string; bytes: number } }>(entry.value);
    if (stored.specRef) {
      const blob = await this.#outputs.getBlob(stored.specRef.name);
      if (!blob) return undefined;
      stored.spec = decodeJson(blob);
    }
    const tasks: TaskSnapshot[] = [];
    for await (const key of await this.#kv.keys(`task.${id}.>`)) {
      const taskEntry = await this.#kv.get(key);
      if (taskEntry?.operation === "PUT") tasks.push(decodeJson<TaskSnapshot>(taskEntry.value));
    }
    // Items after their parents, in index order, as they were created.
    tasks.sort(
      (a, b) =>
        (a.itemOf ? 1 : 0) - (b.itemOf ? 1 : 0) ||
        (a.itemOf?.parent ?? "").localeCompare(b.itemOf?.parent ?? "") ||
        (a.itemOf?.index ?? 0) - (b.itemOf?.index ?? 0),
    );
    const run = WorkflowRun.restore(stored, tasks, effects, this.#clock);
    if (!run.done) {
      const saved = { header: [run.state, run.children.length, run.calls, run.tasks.size].join("|"), tasks: new Map<string, string>() };
      for (const task of run.tasks.values()) saved.tasks.set(task.spec.id, fingerprint(task));
      this.#saved.set(run.id, saved);
    }
    return run;
  }

  /** Ids of stored workflows that have not finished (of those `wanted` keeps: only their headers are read). */
  async running(wanted: (id: string) => boolean = () => true): Promise<string[]> {
    const ids: string[] = [];
    for await (const key of await this.#kv.keys("wf.*")) {
      if (!wanted(key.slice(3))) continue;
      const entry = await this.#kv.get(key);
      if (entry?.operation === "PUT" && decodeJson<Pick<RunSnapshot, "state">>(entry.value).state === "running") ids.push(key.slice(3));
    }
    return ids;
  }
}
