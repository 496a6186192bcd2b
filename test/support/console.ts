import { createAgentHandlers, parseAgentConfig } from "@toolmesh/agent";
import { createCodebaseTools, parseRoots } from "@toolmesh/codebase";
import { ConsoleServer } from "@toolmesh/console";
import { createLogger } from "@toolmesh/core";
import { startGateway, type RunningGateway } from "@toolmesh/mcp/gateway";
import { PoolWatch } from "@toolmesh/observe";
import type { ToolHandlers } from "@toolmesh/runtime";
import { randomBytes } from "node:crypto";
import { repoRoot, startStack, testHandlers, type TestStack } from "./stack.js";

export interface ConsoleStack {
  stack: TestStack;
  gateway: RunningGateway;
  console: ConsoleServer;
  /** http://127.0.0.1:PORT */
  origin: string;
  token: string;
  /** A fresh one-time login link, as `toolmesh up` prints one. */
  loginUrl(): string;
  /** fetch on the gateway with the bearer token (unless headers say otherwise). */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

const quiet = createLogger("test", process.env.TOOLMESH_TEST_LOG ?? "silent");

/**
 * A real stack (nats-server, coordinator with a token, a test worker, a
 * codebase worker over the repository and an agent worker for sub-agents'
 * workflows) and the HTTP gateway serving the console in this process, as
 * `toolmesh up` serves it.
 */
export async function startConsoleStack(options: { testHandlers?: ToolHandlers } = {}): Promise<ConsoleStack> {
  const token = randomBytes(24).toString("base64url");
  const stack = await startStack({ TOOLMESH_GRPC_TOKEN: token });
  await stack.addWorker("test", options.testHandlers ?? testHandlers, { limit: 16 });
  const code = createCodebaseTools({ roots: parseRoots([repoRoot]) });
  await stack.addWorker("codebase", { "code.glob": code["code.glob"], "code.read": code["code.read"] }, { limit: 32 });
  // Plans only (no LLM): an agent.run task becomes a child workflow.
  const agent = createAgentHandlers(
    parseAgentConfig({ TOOLMESH_COORDINATOR_ADDRESS: `127.0.0.1:${stack.coordinator.port}`, TOOLMESH_GRPC_TOKEN: token }),
  );
  await stack.addWorker("agent", agent.handlers, { limit: 4 });
  const watch = new PoolWatch(stack.nc, { staleMs: 5000 }).start();
  const consoleServer = new ConsoleServer({ client: stack.client, token, allowedOrigins: [], pools: watch, refreshMs: 300, log: quiet });
  const gateway = await startGateway({
    console: consoleServer,
    client: stack.client,
    host: "127.0.0.1",
    port: 0,
    token,
    allowedOrigins: [],
    maxSessions: 4,
    sessionIdleMs: 60_000,
    log: quiet,
  });
  const origin = `http://127.0.0.1:${gateway.port}`;
  return {
    stack,
    gateway,
    console: consoleServer,
    origin,
    token,
    loginUrl: () => `${origin}/console/login?code=${consoleServer.guard.issueLoginCode()}`,
    api: (path, init = {}) =>
      fetch(`${origin}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } }),
    async stop() {
      await gateway.close();
      watch.stop();
      await stack.stop();
      agent.close();
    },
  };
}

export interface SseMessage {
  event: string;
  data: unknown;
}

/** Reads server-sent events from a response until `until` says stop (or the stream ends). */
export async function readSse(res: Response, until: (message: SseMessage, all: SseMessage[]) => boolean): Promise<SseMessage[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const messages: SseMessage[] = [];
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return messages;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const message = { event, data: JSON.parse(data) as unknown };
        messages.push(message);
        if (until(message, messages)) return messages;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
