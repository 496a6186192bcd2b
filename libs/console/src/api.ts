import type { ToolmeshClient } from "@toolmesh/client";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OutputPage, TemplateInfo, WorkflowRow, WorkflowView } from "./api-types.js";
import type { PoolHistory } from "./pool-history.js";
import { SseStream } from "./sse.js";
import { consoleEvent, storedOutputBytes, taskDetails, taskState, workflowRow, workflowView } from "./views.js";

export interface ApiOptions {
  client: ToolmeshClient;
  /** Undefined without a NATS connection: the pools page says so. */
  pools: PoolHistory | undefined;
  /** How often a live list or the pools are sent again. */
  refreshMs: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** gRPC status codes the console answers as their HTTP look-alikes; anything else is the coordinator failing (502). */
const HTTP_OF_GRPC: Record<number, number> = { 3: 400, 5: 404, 7: 403, 9: 409, 14: 503, 16: 502 };

export function httpStatusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const code = (err as { code?: unknown }).code;
  return typeof code === "number" ? (HTTP_OF_GRPC[code] ?? 502) : 500;
}

export const TEMPLATES: TemplateInfo[] = [
  { name: "explore-codebase", example: { path: ".", question: "where are workflows cancelled", maxFiles: 200 } },
  { name: "explore-web", example: { queries: ["nats jetstream work queue"], maxFetch: 5 } },
  { name: "think-layers", example: { goal: "how does the coordinator hand a task to a pool", path: "." } },
  { name: "start", example: { goal: "how are tool calls retried", path: "." } },
];

const STATES = new Set(["running", "succeeded", "failed", "cancelled"]);
const MAX_BODY = 256 * 1024;
const OUTPUT_PAGE = 64 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, "the body must be a JSON object");
}

/**
 * The console's JSON API and its event streams, over the coordinator's gRPC
 * (ListWorkflows, GetWorkflow, WatchWorkflow, GetTaskOutput, CancelWorkflow,
 * CancelTask, RunTemplate) and the pools' history. Paths are relative to /console/api.
 */
export class ConsoleApi {
  readonly #options: ApiOptions;
  /** The last outputs read whole from the object store, as text, for paging through them. */
  readonly #outputs = new Map<string, string>();

  constructor(options: ApiOptions) {
    this.#options = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = req.method ?? "GET";
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const [first, id, second, taskId, third] = parts;
    if (method === "GET" && path === "/workflows") return json(res, 200, { workflows: await this.#list(query) });
    if (method === "GET" && path === "/workflows/stream") return this.#listStream(req, res, query);
    if (method === "GET" && path === "/pools") return json(res, 200, await this.#pools());
    if (method === "GET" && path === "/pools/stream") return this.#poolsStream(req, res);
    if (method === "GET" && path === "/templates") return json(res, 200, { templates: TEMPLATES });
    if (method === "POST" && first === "templates" && id && parts.length === 2) return this.#runTemplate(req, res, id);
    if (first === "workflows" && id) {
      if (method === "GET" && parts.length === 2) return json(res, 200, await this.#workflow(id, 0));
      if (method === "GET" && second === "events" && parts.length === 3) return this.#events(req, res, id);
      if (method === "POST" && second === "cancel" && parts.length === 3) return this.#cancel(req, res, id);
      if (method === "GET" && second === "tasks" && taskId && parts.length === 4) return json(res, 200, await this.#task(id, taskId));
      if (method === "POST" && second === "tasks" && taskId && third === "cancel" && parts.length === 5)
        return this.#cancelTask(req, res, id, taskId);
      if (method === "GET" && second === "tasks" && taskId && third === "output" && parts.length === 5)
        return json(res, 200, await this.#outputPage(id, taskId, query));
    }
    throw new HttpError(404, `no such API: ${method} /console/api${path}`);
  }

  async #list(query: URLSearchParams): Promise<WorkflowRow[]> {
    const state = query.get("state") ?? "";
    if (state && !STATES.has(state)) throw new HttpError(400, `state must be one of ${[...STATES].join(", ")}`);
    const limit = Math.min(1000, Math.max(1, Number(query.get("limit") ?? 200) || 200));
    const { workflows } = await this.#options.client.list(limit);
    // The coordinator answers newest first; sorting again keeps that across coordinators' answers.
    return workflows
      .map(workflowRow)
      .filter((w) => !state || w.state === state)
      .sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  /** The list again every refresh, sent only when it changed. */
  async #listStream(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const first = await this.#list(query);
    const sse = new SseStream(req, res);
    let last = JSON.stringify(first);
    sse.send("workflows", first);
    const timer = setInterval(() => {
      this.#list(query).then(
        (rows) => {
          const text = JSON.stringify(rows);
          if (text !== last) sse.send("workflows", rows);
          last = text;
        },
        (err: unknown) => sse.send("failure", { message: err instanceof Error ? err.message : String(err) }),
      );
    }, this.#options.refreshMs);
    sse.signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  }

  /** A workflow with its sub-agents' workflows nested (depth ≤ 3 in toolmesh; 4 here as a bound). */
  async #workflow(id: string, depth: number): Promise<WorkflowView> {
    const wf = await this.#options.client.get(id);
    const children = depth < 4 ? await Promise.all(wf.children.map((child) => this.#workflow(child, depth + 1))) : [];
    return workflowView(wf, children);
  }

  /**
   * WatchWorkflow as server-sent events: replayed from the first event, then
   * live; batched every 100 ms so a fan-out of thousands does not become
   * thousands of messages; "end" after the terminal event.
   */
  async #events(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.#options.client.get(id); // 404 before the stream starts for an unknown workflow
    const sse = new SseStream(req, res);
    let batch: ReturnType<typeof consoleEvent>[] = [];
    const flush = (): void => {
      if (batch.length) sse.send("events", batch);
      batch = [];
    };
    const timer = setInterval(flush, 100);
    try {
      for await (const event of this.#options.client.watch(id, sse.signal)) batch.push(consoleEvent(event));
      flush();
      sse.send("end", { workflowId: id });
    } catch (err) {
      if (!sse.signal.aborted) sse.send("failure", { message: err instanceof Error ? err.message : String(err) });
    } finally {
      clearInterval(timer);
      sse.close();
    }
  }

  async #task(id: string, taskId: string): Promise<ReturnType<typeof taskDetails>> {
    const wf = await this.#options.client.get(id);
    const task = wf.tasks.find((t) => t.id === taskId);
    if (!task) throw new HttpError(404, `workflow ${id} has no task ${taskId}`);
    return taskDetails(wf, task);
  }

  /** A page of a task's output as indented JSON; outputs in the object store are read once through GetTaskOutput. */
  async #outputPage(id: string, taskId: string, query: URLSearchParams): Promise<OutputPage> {
    const key = `${id}/${taskId}`;
    let text = this.#outputs.get(key);
    if (text === undefined) {
      const wf = await this.#options.client.get(id);
      const task = wf.tasks.find((t) => t.id === taskId);
      if (!task) throw new HttpError(404, `workflow ${id} has no task ${taskId}`);
      const output = storedOutputBytes(task.output) === undefined ? task.output : await this.#options.client.taskOutput(id, taskId);
      text = JSON.stringify(output ?? null, null, 2);
      this.#outputs.set(key, text);
      if (this.#outputs.size > 8) this.#outputs.delete(this.#outputs.keys().next().value!);
    }
    const offset = Math.max(0, Math.floor(Number(query.get("offset") ?? 0)) || 0);
    const limit = Math.min(OUTPUT_PAGE * 4, Math.max(1, Math.floor(Number(query.get("limit") ?? OUTPUT_PAGE)) || OUTPUT_PAGE));
    const end = Math.min(text.length, offset + limit);
    return { text: text.slice(offset, end), offset, total: text.length, ...(end < text.length ? { nextOffset: end } : {}) };
  }

  async #cancel(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const body = await readBody(req);
    const reason = typeof body.reason === "string" && body.reason ? body.reason.slice(0, 256) : "cancelled from the console";
    await this.#options.client.cancel(id, reason);
    json(res, 200, { workflowId: id, state: (await this.#workflow(id, 4)).state });
  }

  async #cancelTask(req: IncomingMessage, res: ServerResponse, id: string, taskId: string): Promise<void> {
    const body = await readBody(req);
    const reason = typeof body.reason === "string" && body.reason ? body.reason.slice(0, 256) : "cancelled from the console";
    const { state } = await this.#options.client.cancelTask(id, taskId, reason);
    json(res, 200, { workflowId: id, taskId, state: taskState(state) });
  }

  async #runTemplate(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (!TEMPLATES.some((t) => t.name === name))
      throw new HttpError(404, `no template ${name}; there are ${TEMPLATES.map((t) => t.name).join(", ")}`);
    const body = await readBody(req);
    const params = body.params ?? {};
    if (!params || typeof params !== "object" || Array.isArray(params)) throw new HttpError(400, "params must be a JSON object");
    const workflowId = await this.#options.client.runTemplate({ template: name, params });
    json(res, 201, { workflowId });
  }

  async #pools(): Promise<unknown> {
    const pools = this.#options.pools;
    if (!pools) return { available: false, timeMs: Date.now(), rows: [], history: {}, changes: [] };
    pools.start();
    await pools.sample();
    return pools.view();
  }

  async #poolsStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const first = await this.#pools();
    const sse = new SseStream(req, res);
    sse.send("pools", first);
    // The history samples on its own interval; the stream sends what it has.
    const timer = setInterval(() => sse.send("pools", this.#options.pools?.view() ?? first), this.#options.refreshMs);
    sse.signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  }
}
