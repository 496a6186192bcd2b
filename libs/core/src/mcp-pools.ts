import { z } from "zod";
import { mcpNameProblem } from "./pools.js";

/**
 * One MCP server made a pool (an entry of TOOLMESH_MCP_POOLS, keyed by the
 * pool's name without `mcp-`): a command to run over stdio, or the URL of
 * a Streamable HTTP endpoint, plus the pool's bounds.
 */
export const mcpServerSchema = z
  .object({
    /** stdio: the executable each instance starts (its own child process). */
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    /** Extra environment for the child, on top of the SDK's safe defaults (PATH, HOME, …). */
    env: z.record(z.string()).default({}),
    cwd: z.string().optional(),
    /** Streamable HTTP: the server's endpoint; each instance holds its own session. */
    url: z.string().url().optional(),
    /** HTTP headers on every request (e.g. an Authorization header). */
    headers: z.record(z.string()).default({}),
    /** Replicas the autoscaler keeps: at least `min` (tools are listed by a live instance), at most `max`. */
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(1).default(4),
    /** The range of one instance's adaptive concurrency limit. */
    minLimit: z.number().int().min(1).optional(),
    maxLimit: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine((server, ctx) => {
    if ((server.command === undefined) === (server.url === undefined))
      ctx.addIssue({ code: "custom", message: "give exactly one of command (stdio) or url (Streamable HTTP)" });
    if (server.min > server.max) ctx.addIssue({ code: "custom", path: ["min"], message: `min ${server.min} > max ${server.max}` });
    if (server.minLimit !== undefined && server.maxLimit !== undefined && server.minLimit > server.maxLimit) {
      ctx.addIssue({ code: "custom", path: ["minLimit"], message: `minLimit ${server.minLimit} > maxLimit ${server.maxLimit}` });
    }
  });
export type McpServerConfig = z.infer<typeof mcpServerSchema>;

export const mcpPoolsSchema = z.record(mcpServerSchema).superRefine((pools, ctx) => {
  for (const name of Object.keys(pools)) {
    const problem = mcpNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
  }
});
export type McpPoolsConfig = z.infer<typeof mcpPoolsSchema>;

/**
 * TOOLMESH_MCP_POOLS as JSON, e.g.
 * `{"fs":{"command":"npx","args":["-y","@modelcontextprotocol/server-filesystem","/data"],"min":1,"max":4}}`
 * or `{"docs":{"url":"http://127.0.0.1:8080/mcp"}}`. Unset or blank: none.
 * Throws an Error naming each bad entry and field.
 */
export function parseMcpPools(json: string | undefined): McpPoolsConfig {
  if (json === undefined || json.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`TOOLMESH_MCP_POOLS is not JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const parsed = mcpPoolsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(`TOOLMESH_MCP_POOLS: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ")}`);
}

/**
 * `fs=npx -y @modelcontextprotocol/server-filesystem /data` (the CLI's
 * `--mcp NAME=CMD ARGS...`) → ["fs", {command: "npx", args: [...]}].
 * Words split on whitespace; quote nothing (use TOOLMESH_MCP_POOLS for
 * arguments with spaces). `NAME=http(s)://…` is a Streamable HTTP server.
 */
export function parseMcpFlag(spec: string): [string, McpServerConfig] {
  const eq = spec.indexOf("=");
  const name = eq > 0 ? spec.slice(0, eq) : "";
  const words = spec
    .slice(eq + 1)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const problem = name ? mcpNameProblem(name) : `"${spec}" is not NAME=COMMAND ARGS... or NAME=URL`;
  if (problem) throw new Error(`--mcp: ${problem}`);
  if (words.length === 0) throw new Error(`--mcp ${name}: no command or URL after "="`);
  const raw = /^https?:\/\//.test(words[0]!) ? { url: words[0] } : { command: words[0], args: words.slice(1) };
  const parsed = mcpServerSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`--mcp ${name}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return [name, parsed.data];
}
