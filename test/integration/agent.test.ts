/**
 * agent.run on the real stack: nats-server, coordinator, the test pool and
 * the agent pool in this process, and a local fake LLM for the llm policy.
 *
 * Tests marked "(coordinator: …)" need the coordinator's sub-agent support
 * (parent refs, events of children in the parent's stream, the depth check,
 * cancel cascade); the others rely only on what the agent does itself.
 */
import { createAgentHandlers, parseAgentConfig, type AgentHandlers } from "@toolmesh/agent";
import { EventType, TaskState, WorkflowState, type Workflow, type WorkflowEvent } from "@toolmesh/proto";
import { FakeLlmServer } from "@toolmesh/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heldCalls } from "../support/held-calls.js";
import { task, workflow } from "../support/spec.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let agent: AgentHandlers;
let llm: FakeLlmServer;
/** What the fake LLM answers, by the index of the request within the current test. */
let llmScript: (index: number) => unknown = () => ({});
let llmScriptStart = 0;
const calls = heldCalls();
function useLlmScript(script: (index: number) => unknown): number {
  llmScript = script;
  llmScriptStart = llm.requests.length;
  return llmScriptStart;
}

beforeAll(async () => {
  stack = await startStack();
  await stack.addWorker("test", calls.handlers, { limit: 32 });
  llm = new FakeLlmServer((_req, index) => ({ body: llmScript(index - llmScriptStart) }));
  const llmBase = await llm.start();
  agent = createAgentHandlers(
    parseAgentConfig({
      TOOLMESH_COORDINATOR_ADDRESS: `127.0.0.1:${stack.coordinator.port}`,
      TOOLMESH_LLM_PROVIDER: "openai",
      TOOLMESH_LLM_BASE_URL: `${llmBase}/v1`,
      TOOLMESH_LLM_MODEL: "fake-model",
      TOOLMESH_LLM_TIMEOUT_MS: "30000",
    }),
  );
  await stack.addWorker("agent", agent.handlers, { limit: 16 });
});
afterAll(async () => {
  await stack?.stop();
  agent?.close();
  await llm?.stop();
});

const TOOLS = ["test.echo", "test.sleep", "agent.run"];

/** Runs one agent.run task as a workflow and returns the finished workflow and the agent's task. */
async function runAgent(args: Record<string, unknown>, events?: WorkflowEvent[]) {
  const wf = await stack.client.run(workflow("agent-test", [task("agent", "agent.run", { tools: TOOLS, ...args })]), (e) =>
    events?.push(e),
  );
  const agentTask = wf.tasks.find((t) => t.id === "agent")!;
  return { wf, agentTask, output: (agentTask.output ?? {}) as Record<string, any> };
}

const echo = (id: string, value: unknown, dependsOn: string[] = []) => ({ id, tool: "test.echo", args: { value }, dependsOn });
const childAgent = (id: string, tasks: unknown[], extra: Record<string, unknown> = {}) => ({
  id,
  tool: "agent.run",
  args: { goal: `agent ${id}`, plan: { tasks }, ...extra },
});

describe("agent.run, plan policy", () => {
  it("runs the plan's tasks as one child workflow and reports their outputs", async () => {
    const { wf, output } = await runAgent({
      goal: "echo three things",
      plan: { tasks: [echo("a", 1), echo("b", "two"), echo("c", [3], ["a", "b"])] },
    });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(output.outputs).toEqual({ a: { value: 1 }, b: { value: "two" }, c: { value: [3] } });
    expect(output.workflowIds).toHaveLength(1);
    expect(output.calls).toBe(3);
    expect(output.tokens).toEqual({ input: 0, output: 0 });
    expect(output.answer).toMatch(/3 of 3 tasks succeeded \(a, b, c\)/);
    const child = await stack.client.get(output.workflowIds[0]);
    expect(child.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(child.tasks.map((t) => t.id).sort()).toEqual(["a", "b", "c"]);
  });

  it("refuses a plan that uses a tool outside its tools with PERMISSION_DENIED", async () => {
    const { wf, agentTask } = await runAgent({
      goal: "sneak",
      tools: ["test.echo"],
      plan: { tasks: [{ id: "s", tool: "test.sleep", args: { ms: 1 } }] },
    });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    expect(agentTask.error).toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringMatching(/"test.sleep" is not one this agent may call/),
    });
  });

  it("refuses runaway fan-out beyond maxCalls with RESOURCE_EXHAUSTED naming the numbers", async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => echo(`e${i}`, i));
    const { agentTask } = await runAgent({ goal: "too many", budget: { maxCalls: 5 }, plan: { tasks } });
    expect(agentTask.error).toMatchObject({ code: "RESOURCE_EXHAUSTED", message: expect.stringMatching(/needs 6 calls but only 5/) });
  });

  it("nests agent → child → grandchild, and a 4th level is refused with a clear error", async () => {
    const { wf, output } = await runAgent({
      goal: "nest",
      plan: {
        tasks: [
          childAgent("child", [
            childAgent("grandchild", [echo("leaf", "deep")]),
            childAgent("grandchild2", [childAgent("great", [echo("never", 0)])]),
          ]),
        ],
      },
    });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    const child = output.outputs.child;
    expect(child.budget.maxDepth).toBe(1);
    expect(child.outputs.grandchild.budget.maxDepth).toBe(0);
    expect(child.outputs.grandchild.outputs.leaf).toEqual({ value: "deep" });
    expect(child.failures.grandchild2).toEqual({
      code: "RESOURCE_EXHAUSTED",
      message: expect.stringMatching(/agents nest at most 3 deep/),
    });
    // root's child workflow, the child's and the grandchild's: three levels of workflows below the root.
    expect(output.workflowIds).toHaveLength(1);
    expect(child.workflowIds).toHaveLength(1);
    expect(child.outputs.grandchild.workflowIds).toHaveLength(1);
  });

  it("a child agent's budget is clamped to what its parent has left", async () => {
    const { output } = await runAgent({
      goal: "share 9 calls",
      budget: { maxCalls: 9 },
      plan: {
        tasks: [
          childAgent("small", [echo("s1", 1), echo("s2", 2)], { budget: { maxCalls: 1000, wallMs: 3_600_000 } }),
          childAgent(
            "big",
            [1, 2, 3, 4, 5].map((i) => echo(`b${i}`, i)),
            { budget: { maxCalls: 1000 } },
          ),
        ],
      },
    });
    // 9 calls − 2 agent tasks = 7 for two children: 3 each.
    expect(output.outputs.small.budget.maxCalls).toBe(3);
    expect(output.outputs.small.budget.wallMs).toBeLessThanOrEqual(120_000);
    expect(output.outputs.small.calls).toBe(2);
    expect(output.failures.big).toEqual({ code: "RESOURCE_EXHAUSTED", message: expect.stringMatching(/needs 5 calls but only 3/) });
    // Both agent tasks and the small child's two calls.
    expect(output.calls).toBe(4);
  });

  it("cancelling the root workflow cancels the whole subtree: a grandchild's long sleep ends CANCELLED quickly", async () => {
    const root = await stack.client.submit(
      workflow("cancel-tree", [
        task("agent", "agent.run", {
          goal: "sleep deep",
          tools: TOOLS,
          plan: { tasks: [childAgent("child", [childAgent("grandchild", [{ id: "nap", tool: "test.sleep", args: { ms: 60_000 } }])])] },
        }),
      ]),
    );
    const nap = await waitFor(async () => {
      const { workflows } = await stack.client.list(50);
      for (const summary of workflows) {
        const wf = await stack.client.get(summary.id);
        if (wf.tasks.some((t) => t.id === "nap" && t.state === TaskState.TASK_STATE_RUNNING)) return wf;
      }
      return undefined;
    }, 30_000);
    const cancelledAt = Date.now();
    await stack.client.cancel(root, "test cancels the root");
    const done = await waitFor(async () => {
      const wf = await stack.client.get(nap.id);
      return wf.state === WorkflowState.WORKFLOW_STATE_RUNNING ? undefined : wf;
    }, 15_000);
    // Long before the nap's minute is up, however busy the machine.
    expect(Date.now() - cancelledAt).toBeLessThan(15_000);
    expect(done.state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
    expect(done.tasks.find((t) => t.id === "nap")?.state).toBe(TaskState.TASK_STATE_CANCELLED);
    expect((await stack.client.get(root)).state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
    // The sleep was aborted in the worker, not left to run for a minute.
    await expect.poll(() => stack.workers[0]!.limiter.inFlight, { timeout: 15_000 }).toBe(0);
  });
});

describe("agent.run, llm policy against a fake OpenAI-compatible server", () => {
  it("runs the model's two tool calls in parallel as one child workflow on the test pool and returns its answer", async () => {
    const before = useLlmScript((index) =>
      index === 0
        ? {
            choices: [
              {
                message: {
                  role: "assistant",
                  content: null,
                  tool_calls: [
                    // Held until both run: they end only if they run side by side.
                    { id: "call_a", type: "function", function: { name: "test_sleep", arguments: '{"ms":400,"value":"hold:slept"}' } },
                    { id: "call_b", type: "function", function: { name: "test_sleep", arguments: '{"ms":400,"value":"hold:also"}' } },
                  ],
                },
                finish_reason: "tool_calls",
              },
            ],
            usage: { prompt_tokens: 50, completion_tokens: 10 },
          }
        : {
            choices: [{ message: { role: "assistant", content: "Both sleeps finished." }, finish_reason: "stop" }],
            usage: { prompt_tokens: 80, completion_tokens: 4 },
          },
    );
    const running = runAgent({ goal: "sleep twice", policy: "llm", llm: { maxTurns: 4 } });
    await expect
      .poll(() => [...calls.running].filter((v) => v.startsWith("hold:")).sort(), { timeout: 30_000 })
      .toEqual(["hold:also", "hold:slept"]);
    calls.release("hold:slept");
    calls.release("hold:also");
    const { wf, output } = await running;
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(output).toMatchObject({
      answer: "Both sleeps finished.",
      calls: 2,
      tokens: { input: 130, output: 14 },
      stopReason: "end_turn",
      turns: 2,
    });
    expect(output.workflowIds).toHaveLength(1);
    const child = await stack.client.get(output.workflowIds[0]);
    expect(child.tasks.map((t) => t.tool)).toEqual(["test.sleep", "test.sleep"]);
    const [x, y] = child.tasks as [Workflow["tasks"][number], Workflow["tasks"][number]];
    // Ran side by side: each started before the other finished.
    expect(Number(x.startedAtMs)).toBeLessThan(Number(y.finishedAtMs));
    expect(Number(y.startedAtMs)).toBeLessThan(Number(x.finishedAtMs));
    // The results went back to the model as role "tool" messages for its call ids.
    const second = llm.requests[before + 1]!.body.messages as Array<Record<string, unknown>>;
    expect(second.filter((m) => m.role === "tool")).toEqual([
      { role: "tool", tool_call_id: "call_a", content: JSON.stringify({ sleptMs: 400, value: "hold:slept" }) },
      { role: "tool", tool_call_id: "call_b", content: JSON.stringify({ sleptMs: 400, value: "hold:also" }) },
    ]);
    expect(llm.requests[before]!.body.model).toBe("fake-model");
  });
});

describe("agent.run, llm policy starting a child agent", () => {
  it("agent.run called by the model starts a child agent whose budget is clamped to the parent's", async () => {
    const childArgs = {
      goal: "echo for the parent",
      plan: { tasks: [{ id: "e", tool: "test.echo", args: { value: "from child" } }] },
      budget: { maxCalls: 500, maxDepth: 2 },
    };
    const before = useLlmScript((index) =>
      index === 0
        ? {
            choices: [
              {
                message: {
                  role: "assistant",
                  content: "Delegating.",
                  tool_calls: [{ id: "call_sub", type: "function", function: { name: "agent_run", arguments: JSON.stringify(childArgs) } }],
                },
                finish_reason: "tool_calls",
              },
            ],
            usage: { prompt_tokens: 10, completion_tokens: 10 },
          }
        : {
            choices: [{ message: { role: "assistant", content: "The child echoed." }, finish_reason: "stop" }],
            usage: { prompt_tokens: 10, completion_tokens: 2 },
          },
    );
    const { wf, output } = await runAgent({ goal: "delegate", policy: "llm", budget: { maxCalls: 10 } });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(output.answer).toBe("The child echoed.");
    // The agent.run task itself and the child's one echo.
    expect(output.calls).toBe(2);
    const sub = output.outputs.c1;
    expect(sub.budget).toMatchObject({ maxCalls: 9, maxDepth: 1 });
    expect(sub.outputs.e).toEqual({ value: "from child" });
    const fedBack = (llm.requests[before + 1]!.body.messages as Array<Record<string, unknown>>).find((m) => m.role === "tool");
    expect(fedBack).toMatchObject({ tool_call_id: "call_sub", content: expect.stringContaining("from child") });
  });
});

describe("agent.run with the coordinator's sub-agent support", () => {
  it("(coordinator: parent refs, child events) the child workflow hangs under the agent's task and its events reach the root's stream", async () => {
    const events: WorkflowEvent[] = [];
    const { wf, output } = await runAgent({ goal: "one echo", plan: { tasks: [echo("a", 1)] } }, events);
    const childId = output.workflowIds[0] as string;
    expect((await stack.client.get(childId)).parent).toEqual({ workflowId: wf.id, taskId: "agent", capability: "" });
    expect(wf.children).toEqual([childId]);
    const childEvents = events.filter((e) => e.workflowId === childId);
    expect(childEvents.map((e) => e.type)).toContain(EventType.EVENT_TYPE_TASK_SUCCEEDED);
    expect(childEvents.every((e) => e.parentWorkflowId === wf.id && e.parentTaskId === "agent" && e.depth === 1)).toBe(true);
  });

  it("(coordinator: object store) a large output kept in the object store is read back in full, then capped in the agent's output", async () => {
    const { wf, output } = await runAgent({
      goal: "big",
      plan: { tasks: [{ id: "big", tool: "test.echo", args: { value: "v", padBytes: 2_000_000 } }] },
    });
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
    expect(output.outputs.big).toMatchObject({ truncated: true, chars: expect.any(Number) });
    expect(output.outputs.big.chars).toBeGreaterThan(2_000_000);
    expect(output.outputs.big.preview).toMatch(/^\{"value":"v","pad":"xxx/);
  });

  it("(coordinator: cancel cascade) the subtree's workflows all end CANCELLED with the parent named", async () => {
    const root = await stack.client.submit(
      workflow("cascade", [
        task("agent", "agent.run", {
          goal: "sleep",
          tools: TOOLS,
          plan: { tasks: [childAgent("child", [{ id: "nap", tool: "test.sleep", args: { ms: 60_000 } }])] },
        }),
      ]),
    );
    const rootWf = await waitFor(async () => {
      const wf = await stack.client.get(root);
      return wf.children.length ? wf : undefined;
    }, 30_000);
    const childWf = await waitFor(async () => {
      const wf = await stack.client.get(rootWf.children[0]!);
      return wf.children.length ? wf : undefined;
    }, 30_000);
    await stack.client.cancel(root, "cascade test");
    // The coordinator cancels descendants itself, at once, not waiting for the agents.
    for (const id of [rootWf.children[0]!, childWf.children[0]!]) {
      const wf = await stack.client.get(id);
      expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
      expect(wf.error).toMatch(/parent .* cancelled/);
    }
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: nothing after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
