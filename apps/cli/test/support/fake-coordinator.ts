import { Server, ServerCredentials, status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from "@grpc/grpc-js";
import { CoordinatorService, Workflow, type RunTemplateRequest } from "@toolmesh/proto";

/**
 * A Coordinator gRPC server with canned answers, for the CLI's tests: what
 * the CLI prints is tested against real gRPC without NATS or pools. Methods
 * it does not implement answer UNIMPLEMENTED.
 */
export interface FakeCoordinator {
  address: string;
  /** RunTemplate requests received, params unwrapped. */
  templates: RunTemplateRequest[];
  stop(): Promise<void>;
}

export interface FakeCoordinatorOptions {
  /** What GetWorkflow returns (after SubmitWorkflow or RunTemplate). */
  workflow?: Partial<Workflow>;
  /** What GetTaskOutput returns. */
  taskOutput?: Record<string, unknown>;
  /** CallTool fails with this status, as the coordinator does for a tool's failure. */
  callToolError?: { code: status; details: string };
}

export async function startFakeCoordinator(options: FakeCoordinatorOptions = {}): Promise<FakeCoordinator> {
  const templates: RunTemplateRequest[] = [];
  const workflow = Workflow.fromPartial({ id: "wf-1", name: "fake", ...options.workflow });
  const server = new Server();
  server.addService(CoordinatorService, {
    submitWorkflow: (_call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) => done(null, { workflowId: workflow.id }),
    runTemplate: (call: ServerUnaryCall<RunTemplateRequest, unknown>, done: sendUnaryData<unknown>) => {
      templates.push(call.request);
      done(null, { workflowId: workflow.id });
    },
    // No events: the workflow is already finished; the CLI then asks GetWorkflow.
    watchWorkflow: (call: ServerWritableStream<unknown, unknown>) => call.end(),
    getWorkflow: (_call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) => done(null, { workflow }),
    getTaskOutput: (_call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) =>
      done(null, { output: options.taskOutput ?? {} }),
    callTool: (_call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) =>
      options.callToolError
        ? done({ code: options.callToolError.code, details: options.callToolError.details })
        : done(null, { result: { id: "call", tool: "test.echo", output: {} } }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    templates,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
