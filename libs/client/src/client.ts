import { Metadata, type CallOptions, type ServiceError } from "@grpc/grpc-js";
import type { Context } from "@opentelemetry/api";
import { GRPC_MAX_MESSAGE_BYTES, injectTraceMap, splitHostPort } from "@toolmesh/core";
import {
  CoordinatorClient,
  ExpandTemplateRequest,
  RunTemplateRequest,
  type CallToolRequest,
  type GetCapacityResponse,
  type CancelTaskResponse,
  type CancelWorkflowResponse,
  type ListWorkflowsResponse,
  type TaskStatus,
  type WatchWorkflowResponse,
  type ToolInfo as ProtoToolInfo,
  type Workflow,
  type WorkflowEvent,
  type WorkflowSpec,
} from "@toolmesh/proto";
import { startClientSpan } from "./client-span.js";
import { ToolCallSession } from "./session.js";
import { channelCredentials, plaintextTokenWarning, tlsChannelOptions, type ClientTlsOptions } from "./tls.js";
import { explainTransportError } from "./transport-errors.js";

export interface ClientOptions {
  /** Bearer token when the coordinator sets TOOLMESH_GRPC_TOKEN. */
  token?: string | undefined;
  /** Per-call deadline for unary calls, ms (not for watch). */
  timeoutMs?: number;
  /** TLS to the coordinator (loadClientTls makes it from settings); unset: plain text. */
  tls?: ClientTlsOptions | undefined;
  /** Told once, at construction, when the token would go beyond this machine in plain text. */
  warn?: ((message: string) => void) | undefined;
}

/** A tool the coordinator can run, with JSON Schemas as plain objects. */
export interface ToolInfo {
  name: string;
  /** The worker pool that runs it, or "synth" for the coordinator's own tools. */
  pool: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  argsSchema: Record<string, unknown>;
  /** JSON Schema of the output, when the tool declares one. */
  outputSchema?: Record<string, unknown>;
  /** Side-effect-free: identical calls may share a result. */
  shareable: boolean;
  /** Changes things outside itself (bash.exec). */
  destructive: boolean;
  /** Reaches the internet (web.*). */
  openWorld: boolean;
}

function toolInfo(tool: ProtoToolInfo): ToolInfo {
  return {
    name: tool.name,
    pool: tool.pool,
    description: tool.description,
    argsSchema: tool.argsSchema ?? { type: "object" },
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    shareable: tool.shareable,
    destructive: tool.destructive,
    openWorld: tool.openWorld,
  };
}

/** A gRPC failure with its status code and the server's message. */
export type ToolmeshCallError = ServiceError;

/**
 * A promise-based Coordinator client. Every call is a CLIENT span (RPC
 * semantic conventions) under the caller's active context, and carries it
 * (traceparent metadata): a workflow submitted inside a span is part of the
 * caller's trace.
 */
export class ToolmeshClient {
  readonly raw: CoordinatorClient;
  readonly #options: ClientOptions;
  /** server.address/port of the spans: the target as given. */
  readonly #server: { address: string; port?: number };

  constructor(address: string, options: ClientOptions = {}) {
    this.raw = new CoordinatorClient(address, channelCredentials(options.tls), {
      "grpc.max_receive_message_length": GRPC_MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": GRPC_MAX_MESSAGE_BYTES,
      ...tlsChannelOptions(options.tls),
    });
    this.#options = options;
    this.#server = splitHostPort(address);
    const warning = plaintextTokenWarning(address, options);
    if (warning) options.warn?.(warning);
  }

  /** A transport failure said in terms of this client's TLS settings, when it was a handshake's. */
  #explain<E>(err: E): E {
    return explainTransportError(err, Boolean(this.#options.tls));
  }

  close(): void {
    this.raw.close();
  }

  /** The call's metadata: the token, and the trace context of `ctx` (the active one unless given). */
  metadata(ctx?: Context): Metadata {
    const md = new Metadata();
    if (this.#options.token) md.set("authorization", `Bearer ${this.#options.token}`);
    const carrier: Record<string, string> = {};
    injectTraceMap(carrier, ctx);
    for (const [key, value] of Object.entries(carrier)) md.set(key, value);
    return md;
  }

  #callOptions(): Partial<CallOptions> {
    return this.#options.timeoutMs ? { deadline: Date.now() + this.#options.timeoutMs } : {};
  }

  /** `method` comes bound to this.raw: grpc-js client methods use `this`; `name` is its gRPC name, for the span. */
  #unary<Req, Res>(
    name: string,
    method: (req: Req, md: Metadata, opts: Partial<CallOptions>, cb: (err: ServiceError | null, res: Res) => void) => unknown,
    request: Req,
  ): Promise<Res> {
    const span = startClientSpan(name, this.#server);
    return new Promise((resolve, reject) => {
      method(request, this.metadata(span.ctx), this.#callOptions(), (err, res) => {
        span.end(err ? err.code : 0, err?.details);
        if (err) reject(this.#explain(err));
        else resolve(res);
      });
    });
  }

  async submit(spec: WorkflowSpec): Promise<string> {
    const res = await this.#unary("SubmitWorkflow", this.raw.submitWorkflow.bind(this.raw), { spec });
    return res.workflowId;
  }

  async get(workflowId: string): Promise<Workflow> {
    const res = await this.#unary("GetWorkflow", this.raw.getWorkflow.bind(this.raw), { workflowId });
    return required(res.workflow, "GetWorkflow", "workflow");
  }

  list(limit = 100): Promise<ListWorkflowsResponse> {
    return this.#unary("ListWorkflows", this.raw.listWorkflows.bind(this.raw), { limit });
  }

  cancel(workflowId: string, reason = ""): Promise<CancelWorkflowResponse> {
    return this.#unary("CancelWorkflow", this.raw.cancelWorkflow.bind(this.raw), { workflowId, reason });
  }

  /** Cancels one task (a fan-out task with its unfinished items). */
  cancelTask(workflowId: string, taskId: string, reason = ""): Promise<CancelTaskResponse> {
    return this.#unary("CancelTask", this.raw.cancelTask.bind(this.raw), { workflowId, taskId, reason });
  }

  async call(request: Partial<CallToolRequest> & { tool: string }): Promise<TaskStatus> {
    const res = await this.#unary("CallTool", this.raw.callTool.bind(this.raw), { args: {}, timeoutMs: 0, retry: undefined, ...request });
    return required(res.result, "CallTool", "result");
  }

  /** Many calls over one CallTools stream (about twice CallTool's calls/s). */
  session(): ToolCallSession {
    const span = startClientSpan("CallTools", this.#server);
    const stream = this.raw.callTools(this.metadata(span.ctx));
    span.endOn(stream);
    return new ToolCallSession(stream, (err) => this.#explain(err));
  }

  /** The full output of a task (GetWorkflow gives large ones as a reference only). */
  async taskOutput(workflowId: string, taskId: string): Promise<Record<string, unknown>> {
    const res = await this.#unary("GetTaskOutput", this.raw.getTaskOutput.bind(this.raw), { workflowId, taskId });
    return required(res.output, "GetTaskOutput", "output");
  }

  /** Builds a workflow from a template (explore-codebase, explore-web, think-layers, start) and starts it. */
  async runTemplate(request: Partial<RunTemplateRequest> & { template: string }): Promise<string> {
    const res = await this.#unary("RunTemplate", this.raw.runTemplate.bind(this.raw), RunTemplateRequest.fromPartial(request));
    return res.workflowId;
  }

  /** The workflow a template would run, without running it. */
  async expandTemplate(request: Partial<ExpandTemplateRequest> & { template: string }): Promise<WorkflowSpec> {
    const res = await this.#unary("ExpandTemplate", this.raw.expandTemplate.bind(this.raw), ExpandTemplateRequest.fromPartial(request));
    return required(res.spec, "ExpandTemplate", "spec");
  }

  /** The tools the coordinator can run, with their argument schemas (ListTools). */
  async listTools(): Promise<ToolInfo[]> {
    const res = await this.#unary("ListTools", this.raw.listTools.bind(this.raw), {});
    return res.tools.map(toolInfo);
  }

  capacity(): Promise<GetCapacityResponse> {
    return this.#unary("GetCapacity", this.raw.getCapacity.bind(this.raw), {});
  }

  /** The workflow's events, replayed from the first, until the terminal one. */
  async *watch(workflowId: string, signal?: AbortSignal): AsyncGenerator<WorkflowEvent> {
    // The span lasts as long as the stream; a watch given up early ends it CANCELLED.
    const span = startClientSpan("WatchWorkflow", this.#server);
    const stream = this.raw.watchWorkflow({ workflowId }, this.metadata(span.ctx));
    span.endOn(stream);
    const onAbort = (): void => stream.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const res of stream as AsyncIterable<WatchWorkflowResponse>) {
        if (res.event) yield res.event;
      }
    } catch (err) {
      throw this.#explain(err);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      stream.cancel();
    }
  }

  /** Submits, follows the events (to `onEvent`) and returns the finished workflow. */
  async run(spec: WorkflowSpec, onEvent?: (event: WorkflowEvent) => void): Promise<Workflow> {
    const id = await this.submit(spec);
    for await (const event of this.watch(id)) onEvent?.(event);
    return this.get(id);
  }
}

/** A response's one field; a coordinator that leaves it out speaks another version of the API. */
function required<T>(value: T | undefined, method: string, field: string): T {
  if (value === undefined) throw new Error(`the coordinator's ${method} response has no ${field}: is it an older toolmesh?`);
  return value;
}
