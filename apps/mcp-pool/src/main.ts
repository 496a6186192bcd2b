// An MCP pool's worker process: the shared runtime holding one session to one upstream MCP server.
import { RuntimeCatalog, openCatalog, publishPoolTools, type RuntimeToolEntry } from "@toolmesh/catalog";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { jetstreamManager } from "@nats-io/jetstream";
import { baseConfigSchema, connectNats, ensurePoolStream, loadConfig, poolDefinition, registerPool, runMain } from "@toolmesh/core";
import { runWorkerService, type ToolHandler } from "@toolmesh/runtime";
import { useRuntimeTools } from "@toolmesh/tools";
import { randomUUID } from "node:crypto";
import { parseMcpPoolConfig } from "./config.js";
import { UpstreamSession } from "./session.js";
import { catalogEntry, toolHandler } from "./tools.js";

await runMain("mcp-pool", async () => {
  const config = parseMcpPoolConfig(process.env);
  const base = loadConfig("mcp-pool", baseConfigSchema);
  const instanceId = process.env.TOOLMESH_INSTANCE_ID ?? `${config.pool}-${randomUUID().slice(0, 8)}`;
  // The runtime names the instance from the environment: mcp-fs-…, not mcp-pool-…, unless told otherwise.
  process.env.TOOLMESH_INSTANCE_ID = instanceId;
  const { minLimit, maxLimit } = config.server;
  registerPool(config.pool, { ...(minLimit !== undefined ? { minLimit } : {}), ...(maxLimit !== undefined ? { maxLimit } : {}) });
  const range = poolDefinition(config.pool);
  // The handlers the runtime looks tools up in, changed in place as the upstream's tools change.
  const handlers: Record<string, ToolHandler> = {};
  // This process checks arguments against the upstream's schemas too (the runtime parses them again).
  const own = new RuntimeCatalog();
  useRuntimeTools(own);
  let session: UpstreamSession | undefined;
  let catalogNc: Awaited<ReturnType<typeof connectNats>> | undefined;

  await runWorkerService({
    service: "mcp-pool",
    pool: config.pool,
    status: () => `server=${config.name} ${session?.status() ?? "upstream=starting"}`,
    handlers: async (_env, log) => {
      catalogNc = await connectNats(base, `${instanceId}-catalog`);
      // The pool's work queue exists before its tools are published: a call the coordinator accepts can be queued.
      await ensurePoolStream(await jetstreamManager(catalogNc), config.pool);
      const kv = await openCatalog(catalogNc);
      const onTools = async (tools: Tool[]): Promise<void> => {
        const entries = tools
          .map((t) => catalogEntry(config.name, config.pool, range, t, instanceId))
          .filter((e): e is RuntimeToolEntry => e !== undefined);
        const skipped = tools.length - entries.length;
        if (skipped > 0) log.warn({ skipped }, "upstream tools whose names cannot be catalog keys are left out");
        for (const name of Object.keys(handlers)) if (!entries.some((e) => e.name === name)) delete handlers[name];
        for (const name of own.entries().map((e) => e.name)) own.remove(name);
        for (const entry of entries) {
          own.apply(entry);
          handlers[entry.name] = (args, ctx) => toolHandler(session!, entry)(args, ctx);
        }
        const removed = await publishPoolTools(kv, config.name, entries);
        log.info({ tools: entries.map((e) => e.name), removed }, "upstream tools published");
      };
      session = await UpstreamSession.start({ name: config.name, server: config.server, log, waitMs: config.waitMs, onTools });
      return handlers;
    },
    onStop: async () => {
      await session?.close();
      await catalogNc?.drain().catch(() => undefined);
    },
  });
});
