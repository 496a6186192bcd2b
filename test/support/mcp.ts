import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createCodebaseTools, parseRoots } from "@toolmesh/codebase";
import { startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliScript } from "./cli-process.js";
import { repoRoot, startStack, testHandlers, type TestStack } from "./stack.js";

/** A test stack with the test pool and a codebase pool over a small temp tree (root "tree"). */
export async function startMcpStack(
  env: Record<string, string> = {},
): Promise<{ stack: TestStack; tree: string; address: string; stop(): Promise<void> }> {
  const stack = await startStack(env);
  const tree = await mkdtemp(join(tmpdir(), "toolmesh-mcp-tree-"));
  await mkdir(join(tree, "src"));
  await writeFile(
    join(tree, "src", "lease.ts"),
    "// The lease: renewed by compare-and-set.\nexport function renewLease(revision: number): number {\n  return revision + 1;\n}\n",
  );
  await writeFile(join(tree, "src", "queue.ts"), "// Work queues per pool.\nexport const queues = ['codebase', 'web'];\n");
  await writeFile(join(tree, "README.md"), "# tree\nA small tree: leases and queues.\n");
  await stack.addWorker("test", testHandlers, { limit: 16 });
  await stack.addWorker("codebase", createCodebaseTools({ roots: parseRoots([`tree=${tree}`]) }), { limit: 16 });
  return {
    stack,
    tree,
    address: `127.0.0.1:${stack.coordinator.port}`,
    async stop() {
      await stack.stop();
      await rm(tree, { recursive: true, force: true });
    },
  };
}

/**
 * The SDK's own client over stdio: `toolmesh mcp --address ...` as an
 * agent's MCP config launches it; without an address, it finds the stack.
 */
export async function stdioClient(
  address: string | undefined,
  env: Record<string, string> = {},
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliScript, "mcp", ...(address ? ["--address", address] : [])],
    cwd: repoRoot,
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: "toolmesh-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** The gateway as a real process (apps/mcp-gateway/dist/main.js), once it logged "ready". */
export async function startGatewayProcess(env: Record<string, string>): Promise<{ service: ServiceProcess; url: string }> {
  const service = await startServiceProcess({
    name: "mcp-gateway",
    script: join(repoRoot, "apps/mcp-gateway/dist/main.js"),
    env: { ...process.env, TOOLMESH_METRICS_PORT: "-1", TOOLMESH_LOG_LEVEL: "info", ...env },
  });
  return { service, url: String(service.ready.mcpUrl) };
}

/** The SDK's client over streamable HTTP. */
export async function httpClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "toolmesh-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** The text of a tool result's first content item. */
export function firstText(result: unknown): string {
  const content = (result as CallToolResult).content[0];
  return content?.type === "text" ? content.text : "";
}
