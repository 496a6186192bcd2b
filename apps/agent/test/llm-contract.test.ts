import { ToolError } from "@toolmesh/core";
import { FakeLlmServer, type FakeReply } from "@toolmesh/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  anthropicProvider,
  openaiProvider,
  runChatLoop,
  toolDefinitions,
  type ChatProvider,
  type ExecutorCall,
  type ExecutorResult,
  type ToolExecutor,
} from "../src/index.js";

const KEY = "sk-test-secret-key";
const TOOLS = toolDefinitions(["test.echo", "test.sleep", "agent.run"]);

/** Runs calls instantly and records each batch it was given. */
class RecordingExecutor implements ToolExecutor {
  readonly batches: ExecutorCall[][] = [];
  async run(calls: ExecutorCall[]): Promise<ExecutorResult[]> {
    this.batches.push(calls);
    return calls.map((c) =>
      c.tool === "test.sleep"
        ? { id: c.id, ok: false, error: { code: "DEADLINE_EXCEEDED", message: "slept too long" } }
        : { id: c.id, ok: true, output: { value: c.args.value } },
    );
  }
}

let server: FakeLlmServer | undefined;
afterEach(async () => server?.stop());

async function serve(reply: (index: number) => FakeReply): Promise<string> {
  server = new FakeLlmServer((_req, index) => reply(index));
  return server.start();
}

function loop(provider: ChatProvider, executor: ToolExecutor, tokens = { used: 0, max: 10_000 }) {
  return runChatLoop({
    provider,
    model: "test-model",
    system: "be brief",
    goal: "echo two things",
    tools: TOOLS,
    maxTurns: 4,
    executor,
    tokens: { left: () => tokens.max - tokens.used, add: (i, o) => (tokens.used += i + o) },
    signal: new AbortController().signal,
    resultChars: 1000,
    maxReplyTokens: 512,
  });
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

describe("contract: Anthropic Messages API", () => {
  const toolUse = {
    id: "msg_1",
    type: "message",
    role: "assistant",
    content: [
      { type: "text", text: "Running both." },
      { type: "tool_use", id: "toolu_A", name: "test_echo", input: { value: "one" } },
      { type: "tool_use", id: "toolu_B", name: "test_sleep", input: { ms: 5 } },
    ],
    stop_reason: "tool_use",
    usage: { input_tokens: 100, output_tokens: 20 },
  };
  const final = {
    id: "msg_2",
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: "All done." }],
    stop_reason: "end_turn",
    usage: { input_tokens: 150, output_tokens: 5 },
  };

  it("sends the documented request, runs both tool calls as one batch and feeds the results back by tool_use_id", async () => {
    const base = await serve((i) => ({ body: i === 0 ? toolUse : final }));
    const executor = new RecordingExecutor();
    const tokens = { used: 0, max: 10_000 };
    const result = await loop(anthropicProvider({ baseUrl: base, apiKey: KEY, timeoutMs: 5000 }), executor, tokens);

    expect(result).toMatchObject({ answer: "All done.", turns: 2, toolCalls: 2, stopReason: "end_turn" });
    expect(tokens.used).toBe(275);
    // The two calls of one reply went to the executor together, with catalog names.
    expect(executor.batches).toEqual([
      [
        { id: "toolu_A", tool: "test.echo", args: { value: "one" } },
        { id: "toolu_B", tool: "test.sleep", args: { ms: 5 } },
      ],
    ]);

    const [first, second] = server!.requests;
    expect(first?.method).toBe("POST");
    expect(first?.path).toBe("/v1/messages");
    expect(first?.headers["x-api-key"]).toBe(KEY);
    expect(first?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(first?.headers["content-type"]).toMatch(/application\/json/);
    expect(first?.body).toMatchObject({
      model: "test-model",
      max_tokens: 512,
      system: "be brief",
      messages: [{ role: "user", content: "echo two things" }],
    });
    const tools = first?.body.tools as Array<{ name: string; description: string; input_schema: Record<string, unknown> }>;
    expect(tools.map((t) => t.name)).toEqual(["test_echo", "test_sleep", "agent_run"]);
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(t.input_schema.type).toBe("object");
      expect(t.description.length).toBeGreaterThan(0);
    }
    expect(tools[1]?.input_schema).toMatchObject({
      properties: { ms: { type: "integer" } },
      required: ["ms"],
      additionalProperties: false,
    });

    const messages = second?.body.messages as Array<{ role: string; content: unknown }>;
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({ role: "assistant", content: toolUse.content });
    expect(messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_A", content: JSON.stringify({ value: "one" }) },
        { type: "tool_result", tool_use_id: "toolu_B", content: "DEADLINE_EXCEEDED: slept too long", is_error: true },
      ],
    });
  });

  it("a refused key is PERMISSION_DENIED pointing at TOOLMESH_LLM_API_KEY, without the key", async () => {
    const base = await serve(() => ({
      status: 401,
      body: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } },
    }));
    const err = await failure(loop(anthropicProvider({ baseUrl: base, apiKey: KEY, timeoutMs: 5000 }), new RecordingExecutor()));
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 401: invalid x-api-key.*TOOLMESH_LLM_API_KEY/);
    expect(err.message).not.toContain(KEY);
  });

  it("a 500 is UNAVAILABLE and retryable; a 429 is RESOURCE_EXHAUSTED with its Retry-After", async () => {
    let base = await serve(() => ({ status: 500, body: { type: "error", error: { type: "api_error", message: "boom" } } }));
    let err = await failure(loop(anthropicProvider({ baseUrl: base, apiKey: KEY, timeoutMs: 5000 }), new RecordingExecutor()));
    expect([err.code, err.retryable]).toEqual(["UNAVAILABLE", true]);
    await server!.stop();
    base = await serve(() => ({
      status: 429,
      headers: { "retry-after": "7" },
      body: { type: "error", error: { type: "rate_limit_error", message: "slow down" } },
    }));
    err = await failure(loop(anthropicProvider({ baseUrl: base, apiKey: KEY, timeoutMs: 5000 }), new RecordingExecutor()));
    expect([err.code, err.retryable]).toEqual(["RESOURCE_EXHAUSTED", true]);
    expect(err.message).toMatch(/retry after 7 s/);
  });

  it("a server slower than the timeout is DEADLINE_EXCEEDED naming TOOLMESH_LLM_TIMEOUT_MS", async () => {
    const base = await serve(() => ({ body: final, delayMs: 2000 }));
    const err = await failure(loop(anthropicProvider({ baseUrl: base, apiKey: KEY, timeoutMs: 200 }), new RecordingExecutor()));
    expect(err.code).toBe("DEADLINE_EXCEEDED");
    expect(err.message).toMatch(/TOOLMESH_LLM_TIMEOUT_MS/);
  });

  it("stops when the token budget is spent", async () => {
    const base = await serve(() => ({ body: toolUse }));
    const tokens = { used: 0, max: 200 };
    const result = await loop(anthropicProvider({ baseUrl: base, apiKey: KEY, timeoutMs: 5000 }), new RecordingExecutor(), tokens);
    // Turn 1 uses 120 (80 left, so turn 2 runs and uses 120 more); then nothing is left.
    expect(result.stopReason).toBe("budget");
    expect(result.turns).toBe(2);
    expect(server!.requests.map((r) => r.body.max_tokens)).toEqual([200, 80]);
  });
});

describe("contract: OpenAI chat completions", () => {
  const toolCalls = (calls: Array<{ id: string; name: string; arguments: string }>) => ({
    id: "chatcmpl-1",
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })),
        },
        finish_reason: "tool_calls",
      },
    ],
    usage: { prompt_tokens: 90, completion_tokens: 30, total_tokens: 120 },
  });
  const final = {
    id: "chatcmpl-2",
    choices: [{ index: 0, message: { role: "assistant", content: "Both echoed." }, finish_reason: "stop" }],
    usage: { prompt_tokens: 140, completion_tokens: 6 },
  };

  it("sends the documented request, runs both tool calls as one batch and answers each with role tool", async () => {
    const first = toolCalls([
      { id: "call_1", name: "test_echo", arguments: '{"value":"a"}' },
      { id: "call_2", name: "test_echo", arguments: '{"value":"b"}' },
    ]);
    const base = await serve((i) => ({ body: i === 0 ? first : final }));
    const executor = new RecordingExecutor();
    const tokens = { used: 0, max: 10_000 };
    const result = await loop(openaiProvider({ baseUrl: `${base}/v1`, apiKey: KEY, timeoutMs: 5000 }), executor, tokens);

    expect(result).toMatchObject({ answer: "Both echoed.", turns: 2, toolCalls: 2, stopReason: "end_turn" });
    expect(tokens.used).toBe(266);
    expect(executor.batches).toEqual([
      [
        { id: "call_1", tool: "test.echo", args: { value: "a" } },
        { id: "call_2", tool: "test.echo", args: { value: "b" } },
      ],
    ]);

    const [req1, req2] = server!.requests;
    expect(req1?.path).toBe("/v1/chat/completions");
    expect(req1?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req1?.body).toMatchObject({
      model: "test-model",
      parallel_tool_calls: true,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "echo two things" },
      ],
    });
    const tools = req1?.body.tools as Array<{
      type: string;
      function: { name: string; description: string; parameters: Record<string, unknown> };
    }>;
    expect(tools.map((t) => [t.type, t.function.name])).toEqual([
      ["function", "test_echo"],
      ["function", "test_sleep"],
      ["function", "agent_run"],
    ]);
    for (const t of tools) expect(t.function.parameters.type).toBe("object");

    const messages = req2?.body.messages as Array<Record<string, unknown>>;
    expect(messages.slice(2)).toEqual([
      { role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls },
      { role: "tool", tool_call_id: "call_1", content: JSON.stringify({ value: "a" }) },
      { role: "tool", tool_call_id: "call_2", content: JSON.stringify({ value: "b" }) },
    ]);
  });

  it("malformed JSON arguments are answered with INVALID_ARGUMENT and not run; the other call still runs", async () => {
    const first = toolCalls([
      { id: "call_bad", name: "test_echo", arguments: '{"value": "unterminated' },
      { id: "call_ok", name: "test_echo", arguments: '{"value":"fine"}' },
    ]);
    const base = await serve((i) => ({ body: i === 0 ? first : final }));
    const executor = new RecordingExecutor();
    await loop(openaiProvider({ baseUrl: `${base}/v1`, timeoutMs: 5000 }), executor);
    expect(executor.batches).toEqual([[{ id: "call_ok", tool: "test.echo", args: { value: "fine" } }]]);
    const req2 = server!.requests[1];
    // No key configured: no Authorization header (local servers).
    expect(server!.requests[0]?.headers.authorization).toBeUndefined();
    const messages = req2?.body.messages as Array<Record<string, unknown>>;
    // The broken arguments are echoed back verbatim so the history matches what the model said.
    expect((messages[2]?.tool_calls as Array<{ function: { arguments: string } }>)[0]?.function.arguments).toBe('{"value": "unterminated');
    expect(messages[3]).toMatchObject({
      role: "tool",
      tool_call_id: "call_bad",
      content: expect.stringMatching(/^INVALID_ARGUMENT: the arguments are not valid JSON/),
    });
    expect(messages[4]).toEqual({ role: "tool", tool_call_id: "call_ok", content: JSON.stringify({ value: "fine" }) });
  });

  it("a call to a tool that was not offered is answered with PERMISSION_DENIED", async () => {
    const base = await serve((i) => ({
      body: i === 0 ? toolCalls([{ id: "call_x", name: "bash_exec", arguments: '{"command":"ls"}' }]) : final,
    }));
    const executor = new RecordingExecutor();
    await loop(openaiProvider({ baseUrl: `${base}/v1`, timeoutMs: 5000 }), executor);
    expect(executor.batches).toEqual([]);
    const messages = server!.requests[1]?.body.messages as Array<Record<string, unknown>>;
    expect(messages[3]).toMatchObject({ role: "tool", tool_call_id: "call_x", content: expect.stringMatching(/^PERMISSION_DENIED/) });
  });

  it("401 is PERMISSION_DENIED, 500 UNAVAILABLE, a body that is not JSON UNAVAILABLE", async () => {
    let base = await serve(() => ({
      status: 401,
      body: { error: { message: "Incorrect API key provided", type: "invalid_request_error" } },
    }));
    let err = await failure(loop(openaiProvider({ baseUrl: `${base}/v1`, apiKey: KEY, timeoutMs: 5000 }), new RecordingExecutor()));
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(err.message).toMatch(/TOOLMESH_LLM_API_KEY/);
    expect(err.message).not.toContain(KEY);
    await server!.stop();
    base = await serve(() => ({ status: 503, body: { error: { message: "overloaded" } } }));
    err = await failure(loop(openaiProvider({ baseUrl: `${base}/v1`, timeoutMs: 5000 }), new RecordingExecutor()));
    expect([err.code, err.retryable]).toEqual(["UNAVAILABLE", true]);
    await server!.stop();
    base = await serve(() => ({ body: "<html>proxy error</html>" }));
    err = await failure(loop(openaiProvider({ baseUrl: `${base}/v1`, timeoutMs: 5000 }), new RecordingExecutor()));
    expect(err.code).toBe("UNAVAILABLE");
    expect(err.message).toMatch(/not JSON/);
  });
});
