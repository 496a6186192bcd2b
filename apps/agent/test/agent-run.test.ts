import { ConfigError, ToolError, createLogger } from "@toolmesh/core";
import { TaskState, WorkflowState, type Workflow, type WorkflowEvent } from "@toolmesh/proto";
import type { ToolCallContext } from "@toolmesh/tools";
import { parseToolArgs } from "@toolmesh/tools";
import { describe, expect, it } from "vitest";
import type { CoordinatorApi } from "../src/child-workflows.js";
import { createAgentRunHandler, describeConfig, parseAgentConfig } from "../src/index.js";

/**
 * A stand-in for the coordinator's client that records what the agent asks
 * for. The real coordinator is exercised in test/integration/agent.test.ts;
 * this covers wiring the integration suite cannot reach yet (templates are
 * not served) or only slowly (wall-clock deadlines).
 */
class RecordingCoordinator implements CoordinatorApi {
  readonly templates: unknown[] = [];
  readonly cancelled: string[] = [];
  /** When false, watch() never ends: the child runs until cancelled. */
  finishes = true;
  #watched!: () => void;
  /** Resolves once the agent watches its child: the child is running. */
  readonly watching = new Promise<void>((resolve) => (this.#watched = resolve));

  async submit(): Promise<string> {
    return "child-1";
  }
  async runTemplate(request: Parameters<CoordinatorApi["runTemplate"]>[0]): Promise<string> {
    this.templates.push(request);
    return "tpl-1";
  }
  // eslint-disable-next-line require-yield -- a watch that ends, or waits for its abort, without an event
  async *watch(_id: string, signal?: AbortSignal): AsyncGenerator<WorkflowEvent> {
    this.#watched();
    if (this.finishes) return;
    await new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(new Error("watch cancelled")), { once: true }));
  }
  async get(id: string): Promise<Workflow> {
    return {
      id,
      name: "x",
      state: WorkflowState.WORKFLOW_STATE_SUCCEEDED,
      tasks: [
        {
          id: "report",
          tool: "synth.report",
          pool: "synth",
          state: TaskState.TASK_STATE_SUCCEEDED,
          attempt: 1,
          output: { markdown: "# Findings" },
          error: undefined,
          startedAtMs: 0,
          finishedAtMs: 0,
          worker: "",
          dependsOn: [],
          sharedFrom: "",
          stage: "",
        },
      ],
      createdAtMs: 0,
      finishedAtMs: 0,
      error: "",
      priority: 0,
      parent: undefined,
      children: [],
    };
  }
  async cancel(id: string): Promise<never> {
    this.cancelled.push(id);
    return { state: WorkflowState.WORKFLOW_STATE_CANCELLED } as never;
  }
  async taskOutput(): Promise<Record<string, unknown>> {
    return {};
  }
}

function context(signal = new AbortController().signal): ToolCallContext {
  return {
    workflowId: "wf-root",
    taskId: "agent",
    attempt: 1,
    capability: "cap-1",
    signal,
    progress: () => undefined,
    chunk: () => undefined,
    quality: () => undefined,
    log: createLogger("test", "silent"),
  };
}

const config = parseAgentConfig({});

describe("agent.run handler", () => {
  it("the llm policy without a configured provider is FAILED_PRECONDITION naming the variables to set", async () => {
    const handler = createAgentRunHandler(new RecordingCoordinator(), config);
    const err = await handler(parseToolArgs("agent.run", { goal: "think", policy: "llm" }), context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe("FAILED_PRECONDITION");
    expect((err as ToolError).message).toMatch(/TOOLMESH_LLM_PROVIDER.*TOOLMESH_LLM_MODEL.*TOOLMESH_LLM_API_KEY/);
  });

  it("plan.template goes to RunTemplate with the agent's task as parent, and the report's markdown is in the answer", async () => {
    const coordinator = new RecordingCoordinator();
    const handler = createAgentRunHandler(coordinator, config);
    const output = await handler(
      parseToolArgs("agent.run", { goal: "explore", plan: { template: "explore-codebase", params: { path: "." } } }),
      context(),
    );
    expect(coordinator.templates).toEqual([
      {
        template: "explore-codebase",
        params: { path: "." },
        priority: 0,
        parent: { workflowId: "wf-root", taskId: "agent", capability: "cap-1" },
      },
    ]);
    expect(output.workflowIds).toEqual(["tpl-1"]);
    expect(output.answer).toMatch(/# Findings/);
  });

  it("when wallMs runs out the agent cancels its running child and fails with DEADLINE_EXCEEDED", async () => {
    const coordinator = new RecordingCoordinator();
    coordinator.finishes = false;
    const handler = createAgentRunHandler(coordinator, config);
    const started = Date.now();
    const args = parseToolArgs("agent.run", {
      goal: "slow",
      budget: { wallMs: 200 },
      plan: { tasks: [{ id: "s", tool: "test.sleep", args: { ms: 60_000 } }] },
      tools: ["test.sleep"],
    });
    const err = await handler(args, context()).catch((e: unknown) => e);
    expect((err as ToolError).code).toBe("DEADLINE_EXCEEDED");
    // Long before the child's minute, however busy the machine.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(coordinator.cancelled).toEqual(["child-1"]);
  });

  it("a cancelled task cancels its running child and fails with CANCELLED", async () => {
    const coordinator = new RecordingCoordinator();
    coordinator.finishes = false;
    const handler = createAgentRunHandler(coordinator, config);
    const abort = new AbortController();
    const args = parseToolArgs("agent.run", {
      goal: "slow",
      plan: { tasks: [{ id: "s", tool: "test.sleep", args: { ms: 60_000 } }] },
      tools: ["test.sleep"],
    });
    const running = handler(args, context(abort.signal)).catch((e: unknown) => e);
    await coordinator.watching;
    abort.abort();
    const err = await running;
    expect((err as ToolError).code).toBe("CANCELLED");
    expect(coordinator.cancelled).toEqual(["child-1"]);
  });
});

describe("agent configuration", () => {
  it("defaults: local coordinator, no LLM", () => {
    expect(config).toMatchObject({ coordinatorAddress: "127.0.0.1:50051", llm: undefined });
  });

  it("anthropic needs a key; every bad variable is named", () => {
    expect(() =>
      parseAgentConfig({ TOOLMESH_LLM_PROVIDER: "anthropic", TOOLMESH_LLM_TIMEOUT_MS: "x", TOOLMESH_COORDINATOR_ADDRESS: "nope" }),
    ).toThrow(ConfigError);
    try {
      parseAgentConfig({ TOOLMESH_LLM_PROVIDER: "anthropic", TOOLMESH_LLM_TIMEOUT_MS: "x", TOOLMESH_COORDINATOR_ADDRESS: "nope" });
    } catch (err) {
      expect((err as ConfigError).problems.join("\n")).toMatch(
        /TOOLMESH_COORDINATOR_ADDRESS[\s\S]*TOOLMESH_LLM_TIMEOUT_MS[\s\S]*TOOLMESH_LLM_API_KEY/,
      );
    }
  });

  it("openai defaults to its /v1 base; the key is never in the loggable description", () => {
    const c = parseAgentConfig({ TOOLMESH_LLM_PROVIDER: "openai", TOOLMESH_LLM_API_KEY: "sk-secret", TOOLMESH_LLM_MODEL: "m" });
    expect(c.llm).toMatchObject({ provider: "openai", baseUrl: "https://api.openai.com/v1", model: "m" });
    expect(JSON.stringify(describeConfig(c))).not.toContain("sk-secret");
  });
});
