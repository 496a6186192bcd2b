import { context } from "@opentelemetry/api";
import { jetstream } from "@nats-io/jetstream";
import { Consumers, ErrorCode, ToolError, Streams, poolDefinition, Subjects, decodeJson, ensureResultConsumer, } from "@toolmesh/core";
import { InvalidSpecError } from "@toolmesh/spec";
import { MAX_AGENT_DEPTH } from "@toolmesh/tools";
import { LRUCache } from "lru-cache";
import { randomUUID } from "node:crypto";
import { bootstrapStreams } from "./engine/stream-bootstrap.js";
import { publishTask } from "./engine/task-publisher.js";
import { ingestResult } from "./engine/result-ingestion.js";
import { natsEffects } from "./engine/nats-effects.js";
import { WorkflowTraces } from "./engine/tracing.js";
import { superviseLoop } from "./engine/results-loop.js";
import { RunRegistry } from "./engine/run-registry.js";
import { StateFlusher } from "./engine/state-flusher.js";
import { recreateWhenMissing } from "./results-consumer.js";
import { followRuntimeTools } from "./runtime-tools.js";
import { DispatchScheduler } from "./scheduler.js";
import { AttemptTokens } from "./workflow/attempt-tokens.js";
import { WorkflowNotFoundError } from "./workflow/errors.js";
import { checkParentCapability } from "./workflow/parent-capability.js";
import { WorkflowRun } from "./workflow/run.js";
/**
 * Attempts a pool may have queued or running at once: twice what its live
 * workers run (before any worker has reported, twice the pool's minimum).
 */
function poolWindow(capacity, pool) {
    let limit = 0;
    for (const snapshot of capacity.live())
        if (snapshot.pool === pool && !snapshot.draining)
            limit += snapshot.limit;
    return 2 * (limit > 0 ? limit : poolDefinition(pool).minLimit);
}
/**
 * Runs workflows over the buses: dispatches tasks to pool work queues,
 * consumes results, publishes events, broadcasts cancels. One span per
 * workflow is the parent of every dispatch, so a workflow is one trace.
 */
export class Engine {
    #runs;
    #traces = new WorkflowTraces();
    #waiters = new Map();
    #opts;
    #js;
    #jsm;
    #results;
    #started;
    #publisher;
    #scheduler;
    #shared; // absent at a share TTL of 0: lru-cache reads 0 as "never expires"
    #pumpTimer;
    #unfollowRuntimeTools;
    #flusher;
    #effects;
    #resultsLoop;
    #stopping = new AbortController();
    #leading = false;
    #tokens;
    constructor(options) {
        this.#opts = options;
        this.#runs = new RunRegistry(options.keepWorkflows);
        this.#flusher = new StateFlusher({ store: options.store, log: options.log });
        this.#scheduler = new DispatchScheduler((pool) => poolWindow(options.capacity, pool));
        if (options.shareTtlMs > 0)
            this.#shared = new LRUCache({ max: 10_000, ttl: options.shareTtlMs });
        this.#effects = this.#makeEffects();
    }
    async start() {
        const { jsm, ensuredPools } = await bootstrapStreams(this.#opts.nc, this.#opts.resultAckWaitMs);
        this.#jsm = jsm;
        // MCP pools' tools, published by their workers in TM_CATALOG (their pools' streams are the workers' to create).
        this.#unfollowRuntimeTools = await followRuntimeTools(this.#opts.nc, this.#opts.log);
        this.#tokens = await AttemptTokens.open(this.#opts.store.kv, this.#opts.log);
        this.#js = jetstream(this.#opts.nc);
        this.#publisher = {
            nc: this.#opts.nc,
            js: this.#js,
            jsm,
            log: this.#opts.log,
            metrics: this.#opts.metrics,
            tokens: this.#tokens,
            ensuredPools,
        };
        this.#started = this.#opts.nc.subscribe(Subjects.allTaskStarted, {
            callback: (err, msg) => {
                if (err)
                    return;
                const event = decodeJson(msg.data);
                if (event.taskId)
                    this.#runs.get(event.workflowId)?.onStarted(event.taskId, event.attempt ?? 0, event.worker, event.timeMs);
            },
        });
        // Pools' capacity grows as workers appear; let waiting attempts out.
        this.#pumpTimer = setInterval(() => this.#scheduler.pumpAll(), 500);
    }
    get leading() {
        return this.#leading;
    }
    /**
     * Becomes the active coordinator: resumes every stored unfinished
     * workflow, then consumes results (those that arrived while no
     * coordinator ran are waiting in TM_RESULTS).
     */
    async lead() {
        const ids = await this.#opts.store.running();
        const resumed = [];
        for (const id of ids) {
            if (this.#runs.has(id))
                continue;
            const run = await this.#opts.store.load(id, this.#effects);
            if (!run || run.done)
                continue;
            this.#runs.add(run);
            this.#traces.resumed(id, run.name);
            this.#opts.metrics.workflowsRunning.inc();
            resumed.push(run);
        }
        for (const run of resumed)
            run.resume();
        if (resumed.length > 0)
            this.#opts.log.info({ workflows: resumed.map((r) => r.id) }, "resumed workflows");
        const first = await this.#openResults();
        this.#leading = true;
        this.#resultsLoop = superviseLoop({
            first,
            open: () => this.#openResults(),
            handle: (msg) => ingestResult({ runs: this.#runs, tokens: this.#tokens, flusher: this.#flusher, log: this.#opts.log, metrics: this.#opts.metrics }, msg),
            stopping: () => !this.#leading,
            log: this.#opts.log,
            signal: this.#stopping.signal,
        }).catch((err) => this.#opts.log.error({ err }, "results loop supervisor failed"));
    }
    async stop() {
        this.#leading = false;
        this.#stopping.abort();
        this.#started?.unsubscribe();
        this.#unfollowRuntimeTools?.();
        clearInterval(this.#pumpTimer);
        this.#tokens?.close();
        await this.#results?.close();
        await this.#resultsLoop;
        await this.#flusher.idle;
        for (const run of this.#runs.values())
            for (const task of run.tasks.values()) {
                clearTimeout(task.timer);
                clearTimeout(task.joinTimer);
            }
    }
    /**
     * Starts a validated workflow under the caller's trace context. A
     * submitted workflow is stored before it starts, so an accepted workflow
     * survives this coordinator; quiet single calls are not stored.
     */
    async submit(workflow, parent = context.active(), options = {}) {
        const lineage = this.#lineage(workflow);
        const id = randomUUID().replaceAll("-", "");
        this.#traces.started(id, workflow.name, workflow.tasks.length, parent);
        const run = new WorkflowRun(id, workflow, this.#effects, { ...options, ...lineage });
        this.#runs.add(run);
        if (workflow.parent)
            this.#runs.get(workflow.parent.workflowId).children.push(id);
        this.#opts.metrics.workflowsStarted.inc();
        this.#opts.metrics.workflowsRunning.inc();
        this.#runs.evictFinished();
        if (!run.quiet)
            await this.#opts.store.save(run);
        run.start();
        return run;
    }
    /**
     * Where a sub-agent's workflow hangs: under a running parent, one level
     * deeper. Agents nest at most MAX_AGENT_DEPTH deep, so a workflow that
     * deep may not start another agent.
     */
    #lineage(workflow) {
        if (!workflow.parent)
            return { depth: 0, ancestors: [] };
        const parent = this.#runs.get(workflow.parent.workflowId);
        if (!parent || parent.done) {
            throw new InvalidSpecError(`parent.workflowId "${workflow.parent.workflowId}" is not a running workflow on this coordinator`);
        }
        checkParentCapability(parent, workflow.parent);
        const depth = parent.depth + 1;
        if (depth >= MAX_AGENT_DEPTH && workflow.tasks.some((t) => t.tool === "agent.run")) {
            throw new ToolError(ErrorCode.RESOURCE_EXHAUSTED, `agents nest at most ${MAX_AGENT_DEPTH} deep (orchestrator → specialist → executor); this workflow is at depth ${depth} and may not start agent.run`);
        }
        return { depth, ancestors: [parent.id, ...parent.ancestors] };
    }
    /** A workflow from memory, or a finished one from the store. */
    async find(id) {
        const run = this.#runs.get(id) ?? (await this.#opts.store.load(id, this.#effects));
        if (!run)
            throw new WorkflowNotFoundError(id);
        if (!this.#runs.has(id) && run.done)
            this.#runs.add(run);
        return run;
    }
    list(limit) {
        return this.#runs.list(limit);
    }
    /** Resolves when the workflow reaches a terminal state. */
    whenDone(run) {
        if (run.done)
            return Promise.resolve(run);
        return new Promise((resolve) => {
            const list = this.#waiters.get(run.id) ?? [];
            list.push(resolve);
            this.#waiters.set(run.id, list);
        });
    }
    #makeEffects() {
        return natsEffects({
            nc: this.#opts.nc,
            runs: this.#runs,
            scheduler: this.#scheduler,
            shared: this.#shared,
            publish: (run, task, deadlineMs) => publishTask(this.#publisher, run, task, deadlineMs, this.#traces.contextOf(run.id)),
            runSynth: (tool, args, inputs) => this.#opts.runSynth(tool, args, inputs),
            loadOutput: (ref) => this.#opts.loadOutput(ref),
            changed: (run) => {
                if (!run.quiet)
                    this.#flusher.changed(run);
            },
            finished: (run) => this.#finished(run),
        });
    }
    #finished(run) {
        this.#opts.metrics.workflowsRunning.dec();
        this.#opts.metrics.workflowsFinished.inc({ state: run.state });
        this.#opts.metrics.workflowDuration.observe({ state: run.state }, ((run.finishedAtMs ?? Date.now()) - run.createdAtMs) / 1000);
        this.#traces.finished(run);
        for (const resolve of this.#waiters.get(run.id) ?? [])
            resolve(run);
        this.#waiters.delete(run.id);
        this.#opts.log.debug({ workflowId: run.id, name: run.name, state: run.state, ms: (run.finishedAtMs ?? 0) - run.createdAtMs }, "workflow finished");
    }
    async #openResults() {
        const consumer = await this.#js.consumers.get(Streams.results, Consumers.coordinator);
        const results = await consumer.consume({ max_messages: 1000 });
        this.#results = results;
        void recreateWhenMissing(results, () => ensureResultConsumer(this.#jsm, this.#opts.resultAckWaitMs), this.#opts.log);
        return results;
    }
}
//# sourceMappingURL=engine.js.map