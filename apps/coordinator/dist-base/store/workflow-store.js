import { Kvm } from "@nats-io/kv";
import { decodeJson, encodeJson, putOutput } from "@toolmesh/core";
import { systemClock } from "../workflow/clock.js";
import { WorkflowRun } from "../workflow/run.js";
/** KV bucket of workflow state: one key per workflow, one per task. */
export const WORKFLOWS_BUCKET = "TM_WORKFLOWS";
/** Stored workflows expire a day after their last change. */
const WORKFLOWS_TTL_MS = 24 * 60 * 60 * 1000;
/** Values above this go to the object store: a KV value must fit one NATS message. */
const MAX_VALUE_BYTES = 512 * 1024;
/** KV keys allow [-/_=.a-zA-Z0-9]: a fan-out item "grep[3]" is stored as "grep.3". */
function taskKey(workflowId, taskId) {
    return `task.${workflowId}.${taskId.replace(/\[(\d+)\]$/, ".$1")}`;
}
/** What identifies a stored version of a task: if none of it changed, nothing needs writing. */
function fingerprint(task) {
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
 * Workflow state in JetStream KV, so that another coordinator can resume a
 * workflow after this one dies. Writes only what changed since the last
 * save; specs and outputs too large for a KV value go to the object store.
 * `K`: the bucket's type, handed on to the lease and the attempt secret
 * that live in the same bucket.
 */
export class WorkflowStore {
    #kv;
    #outputs;
    /** The clock loaded runs keep time by. */
    #clock;
    /** Last saved fingerprint per run: header and each task. */
    #saved = new Map();
    /** Over an open bucket; open() is the usual way in. */
    constructor(kv, outputs, clock = systemClock) {
        this.#kv = kv;
        this.#outputs = outputs;
        this.#clock = clock;
    }
    static async open(nc, outputs) {
        const kv = await new Kvm(nc).create(WORKFLOWS_BUCKET, { history: 1, ttl: WORKFLOWS_TTL_MS, storage: "file" });
        return new WorkflowStore(kv, outputs);
    }
    get kv() {
        return this.#kv;
    }
    /** Writes what changed in `run` since its last save. */
    async save(run) {
        const saved = this.#saved.get(run.id) ?? { header: "", tasks: new Map() };
        const writes = [];
        for (const task of run.tasks.values()) {
            const print = fingerprint(task);
            if (saved.tasks.get(task.spec.id) === print)
                continue;
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
        if (run.done)
            this.#saved.delete(run.id);
    }
    async #saveTask(workflowId, task) {
        let bytes = encodeJson(WorkflowRun.taskSnapshot(task));
        if (bytes.length > MAX_VALUE_BYTES && task.output) {
            // A large synthesis output: keep it beside worker outputs, by reference.
            task.outputRef = await putOutput(this.#outputs, `${workflowId}/${task.spec.id}/coordinator`, task.output);
            delete task.output;
            bytes = encodeJson(WorkflowRun.taskSnapshot(task));
        }
        await this.#kv.put(taskKey(workflowId, task.spec.id), bytes);
    }
    async #headerBytes(snapshot) {
        const bytes = encodeJson(snapshot);
        if (bytes.length <= MAX_VALUE_BYTES)
            return bytes;
        const specRef = await putOutput(this.#outputs, `${snapshot.id}/spec`, snapshot.spec);
        return encodeJson({ ...snapshot, spec: undefined, specRef });
    }
    /** A stored workflow, rebuilt (not resumed), or undefined. */
    async load(id, effects) {
        const entry = await this.#kv.get(`wf.${id}`);
        if (!entry || entry.operation !== "PUT")
            return undefined;
        const stored = decodeJson(entry.value);
        if (stored.specRef) {
            const blob = await this.#outputs.getBlob(stored.specRef.name);
            if (!blob)
                return undefined;
            stored.spec = decodeJson(blob);
        }
        const tasks = [];
        for await (const key of await this.#kv.keys(`task.${id}.>`)) {
            const taskEntry = await this.#kv.get(key);
            if (taskEntry?.operation === "PUT")
                tasks.push(decodeJson(taskEntry.value));
        }
        // Items after their parents, in index order, as they were created.
        tasks.sort((a, b) => (a.itemOf ? 1 : 0) - (b.itemOf ? 1 : 0) ||
            (a.itemOf?.parent ?? "").localeCompare(b.itemOf?.parent ?? "") ||
            (a.itemOf?.index ?? 0) - (b.itemOf?.index ?? 0));
        const run = WorkflowRun.restore(stored, tasks, effects, this.#clock);
        if (!run.done) {
            const saved = { header: [run.state, run.children.length, run.calls, run.tasks.size].join("|"), tasks: new Map() };
            for (const task of run.tasks.values())
                saved.tasks.set(task.spec.id, fingerprint(task));
            this.#saved.set(run.id, saved);
        }
        return run;
    }
    /** Ids of stored workflows that have not finished. */
    async running() {
        const ids = [];
        for await (const key of await this.#kv.keys("wf.*")) {
            const entry = await this.#kv.get(key);
            if (entry?.operation === "PUT" && decodeJson(entry.value).state === "running")
                ids.push(key.slice(3));
        }
        return ids;
    }
}
//# sourceMappingURL=workflow-store.js.map