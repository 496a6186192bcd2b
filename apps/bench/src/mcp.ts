/**
 * `toolmesh-bench mcp` (`npm run bench:mcp`): an MCP client reading files from
 * @modelcontextprotocol/server-filesystem (unmodified, from node_modules)
 * (a) one by one, straight to the server over stdio, and (b) all at once
 * through toolmesh: the same client talks to `toolmesh mcp` (the stdio
 * front door) and calls its `parallel` tool, whose calls run as one
 * workflow of independent tasks in the pool mcp-fs — four apps/mcp-pool
 * instances, each holding its own server child. Prints both times, their
 * ratio, the latency one call adds through toolmesh, and CPU per call
 * (every process of each path, from /proc).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ToolmeshClient } from "@toolmesh/client";
import { startNatsServer, type NatsServerHandle } from "@toolmesh/local";
import { descendantsCpuMs, parseStat } from "@toolmesh/runtime";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ProcessGroup, appScript, cliScript } from "./processes.js";
import { median, range, summarize } from "./stats.js";
import { withInterruptCleanup } from "./signals.js";

export interface McpBenchOptions {
  /** Files read in each measured run. */
  reads: number;
  /** Instances of the pool mcp-fs. */
  instances: number;
  /** Single calls timed one after another for the added latency. */
  latencySamples: number;
  out: (line: string) => void;
}

export const MCP_BENCH_DEFAULTS = { reads: 100, instances: 4, latencySamples: 50 } as const;

export interface McpBenchReport {
  reads: number;
  directMs: number;
  toolmeshMs: number;
  speedup: number;
  directP50Ms: number;
  toolmeshP50Ms: number;
  addedLatencyMs: number;
  /** The same through the coordinator's gRPC API without the MCP front door: CallTools at once, CallTool one at a time. */
  grpcMs: number;
  grpcP50Ms: number;
  directCpuMsPerCall: number;
  toolmeshCpuMsPerCall: number;
}

/** Rounds of the measured reads run first in each path and not counted. */
const WARM_UP_ROUNDS = 5;
/** Measured rounds, each path once per round (CPU is summed over them: a tick of /proc is 10 ms a process). */
const ROUNDS = 7;

function serverScript(): string {
  try {
    return createRequire(import.meta.url).resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
  } catch {
    throw new Error(
      "@modelcontextprotocol/server-filesystem is not installed: run `npm ci` at the repository root (it is a pinned devDependency)",
    );
  }
}

/** CPU ms so far of a process and everything under it (0 for one that is gone). */
function treeCpuMs(pid: number | null | undefined): number {
  if (!pid) return 0;
  try {
    return (parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"))?.selfMs ?? 0) + (descendantsCpuMs(pid) ?? 0);
  } catch {
    return 0;
  }
}

/** This process's CPU ms so far (the MCP client, in both paths). */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function connect(name: string, command: string, args: string[]): Promise<{ client: Client; pid: () => number | null }> {
  const transport = new StdioClientTransport({ command, args, env: getDefaultEnvironment(), stderr: "ignore" });
  const client = new Client({ name: `toolmesh-bench-${name}`, version: "0.1.0" });
  await client.connect(transport);
  return { client, pid: () => transport.pid };
}

function textOf(result: CallToolResult): string {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content).slice(0, 300)}`);
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

/** `reads` files of a few KB each, one per call, in a fresh directory. */
function makeTree(reads: number): { dir: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "toolmesh-bench-mcp-"));
  mkdirSync(join(dir, "src"));
  const paths = Array.from({ length: reads + 20 }, (_, i) => {
    const path = join(dir, "src", `file-${String(i).padStart(4, "0")}.ts`);
    writeFileSync(path, `// file ${i}\n${`export const value${i} = ${i}; // ${"lorem ipsum ".repeat(4)}\n`.repeat(40)}`);
    return path;
  });
  return { dir, paths };
}

export async function runMcpBench(options: McpBenchOptions): Promise<McpBenchReport> {
  const { out, reads } = options;
  const script = serverScript();
  const { dir, paths } = makeTree(reads);
  const measured = paths.slice(0, reads);
  const group = new ProcessGroup();
  let nats: NatsServerHandle | undefined;
  const closers: Array<() => Promise<void>> = [];
  const release = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await group.stopAll();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return withInterruptCleanup(release, async () => {
    try {
      out(`${reads} reads (read_text_file) of ${dir}/src through @modelcontextprotocol/server-filesystem`);

      // (a) Straight to the server, one call after another.
      const direct = await connect("direct", process.execPath, [script, dir]);
      closers.push(() => direct.client.close());
      const readDirect = async (path: string): Promise<string> =>
        textOf((await direct.client.callTool({ name: "read_text_file", arguments: { path } })) as CallToolResult);
      const oneByOne = async (): Promise<void> => {
        for (const path of measured) await readDirect(path);
      };

      // (b) Through toolmesh: nats-server, the coordinator, the pool mcp-fs, and `toolmesh mcp` in front.
      nats = await startNatsServer();
      const common = { TOOLMESH_NATS_URL: nats.url, TOOLMESH_METRICS_PORT: "-1", TOOLMESH_LOG_LEVEL: "info" };
      const [coordinator] = await group.start({
        name: "coordinator",
        script: appScript("coordinator"),
        env: { ...common, TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_PORT: "0" },
      });
      const mcpPools = JSON.stringify({ fs: { command: process.execPath, args: [script, dir] } });
      const workers = await group.start(
        ...Array.from({ length: options.instances }, (_, i) => ({
          name: `mcp-fs-${i}`,
          script: appScript("mcp-pool"),
          env: { ...common, TOOLMESH_MCP_POOLS: mcpPools, TOOLMESH_MCP_POOL: "fs", TOOLMESH_INSTANCE_ID: `mcp-fs-bench-${i}` },
        })),
      );
      const address = `127.0.0.1:${String(coordinator!.ready.grpcPort)}`;
      const grpc = new ToolmeshClient(address);
      closers.push(async () => grpc.close());
      const deadline = Date.now() + 30_000;
      while (!(await grpc.listTools()).some((t) => t.name === "fs.read_text_file")) {
        if (Date.now() > deadline) throw new Error("the coordinator did not learn fs.read_text_file within 30 s");
        await sleep(50);
      }
      const front = await connect("toolmesh", process.execPath, [cliScript(), "mcp", "--address", address]);
      closers.push(() => front.client.close());
      const parallel = async (): Promise<void> => {
        const result = (await front.client.callTool(
          { name: "parallel", arguments: { calls: measured.map((path) => ({ tool: "fs.read_text_file", args: { path } })) } },
          undefined,
          { timeout: 120_000 },
        )) as CallToolResult;
        const failed = (result.structuredContent as { failed?: number } | undefined)?.failed;
        if (result.isError || failed !== 0) throw new Error(`parallel failed: ${textOf({ ...result, isError: false }).slice(0, 300)}`);
      };
      // The front door's share: the same reads over gRPC straight to the coordinator.
      const session = grpc.session();
      closers.push(() => session.close());
      const callTools = (): Promise<unknown> =>
        Promise.all(measured.map((path) => session.call({ tool: "fs.read_text_file", args: { path } })));

      // Warm-up of every path (JIT in every process, page cache, the pools' first pulls), not counted.
      for (let round = 0; round < WARM_UP_ROUNDS; round++) {
        await oneByOne();
        await parallel();
        await callTools();
      }
      // CPU by part: where a call's cost goes. The MCP client is this process in both paths.
      const parts: Record<string, () => number> = {
        "toolmesh mcp": () => treeCpuMs(front.pid()),
        coordinator: () => treeCpuMs(coordinator!.child.pid),
        "nats-server": () => treeCpuMs(nats?.pid),
        "pool instances + servers": () => workers.reduce((a, w) => a + treeCpuMs(w.child.pid), 0),
      };
      const directServerCpu = (): number => treeCpuMs(direct.pid());
      // Interleaved rounds, so a machine that gets busier or quieter moves both paths alike.
      const directTimes: number[] = [];
      const toolmeshTimes: number[] = [];
      const grpcTimes: number[] = [];
      let directCpuMs = 0;
      let directServerMs = 0;
      let clientInToolmeshMs = 0;
      const spentByPart = Object.fromEntries(Object.keys(parts).map((k) => [k, 0])) as Record<string, number>;
      for (let round = 0; round < ROUNDS; round++) {
        let client0 = ownCpuMs();
        const server0 = directServerCpu();
        let t0 = performance.now();
        await oneByOne();
        directTimes.push(performance.now() - t0);
        const serverMs = directServerCpu() - server0;
        directServerMs += serverMs;
        directCpuMs += ownCpuMs() - client0 + serverMs;

        const before = Object.fromEntries(Object.entries(parts).map(([k, f]) => [k, f()]));
        client0 = ownCpuMs();
        t0 = performance.now();
        await parallel();
        toolmeshTimes.push(performance.now() - t0);
        clientInToolmeshMs += ownCpuMs() - client0;
        for (const [k, f] of Object.entries(parts)) spentByPart[k]! += f() - before[k]!;

        t0 = performance.now();
        await callTools();
        grpcTimes.push(performance.now() - t0);
      }
      const spent = [
        ["MCP client", clientInToolmeshMs / ROUNDS] as const,
        ...Object.entries(spentByPart).map(([k, ms]) => [k, ms / ROUNDS] as const),
      ];
      const toolmeshCpuMs = spent.reduce((a, [, ms]) => a + ms, 0);
      directCpuMs /= ROUNDS;
      directServerMs /= ROUNDS;

      // One call at a time, each path, for the latency toolmesh adds.
      const directLatencies: number[] = [];
      const toolmeshLatencies: number[] = [];
      const grpcLatencies: number[] = [];
      for (let i = 0; i < options.latencySamples; i++) {
        const path = measured[i % reads]!;
        let s = performance.now();
        await readDirect(path);
        directLatencies.push(performance.now() - s);
        s = performance.now();
        // fs_read_text_file is the catalog tool under its MCP name.
        textOf((await front.client.callTool({ name: "fs_read_text_file", arguments: { path } })) as CallToolResult);
        toolmeshLatencies.push(performance.now() - s);
        s = performance.now();
        await grpc.call({ tool: "fs.read_text_file", args: { path } });
        grpcLatencies.push(performance.now() - s);
      }
      const directMs = median(directTimes);
      const toolmeshMs = median(toolmeshTimes);
      const grpcMs = median(grpcTimes);

      const d = summarize(directLatencies);
      const t = summarize(toolmeshLatencies);
      const g = summarize(grpcLatencies);
      const report: McpBenchReport = {
        reads,
        directMs,
        toolmeshMs,
        speedup: directMs / toolmeshMs,
        directP50Ms: d.p50Ms,
        toolmeshP50Ms: t.p50Ms,
        addedLatencyMs: t.p50Ms - d.p50Ms,
        grpcMs,
        grpcP50Ms: g.p50Ms,
        directCpuMsPerCall: directCpuMs / reads,
        toolmeshCpuMsPerCall: toolmeshCpuMs / reads,
      };
      const cores = availableParallelism();
      // No parallel path can beat the upstream server's own CPU spread over every core.
      const floorMs = directServerMs / cores;
      out(`  rounds: ${ROUNDS}, interleaved; medians (min-max)`);
      out(`  (a) one by one, straight to the server     ${range(directTimes)} (${(directMs / reads).toFixed(2)} ms a call)`);
      out(`  (b) all at once through toolmesh (${options.instances} instances, \`parallel\` via toolmesh mcp)  ${range(toolmeshTimes)}`);
      out(`  ratio (a)/(b)                              ${report.speedup.toFixed(2)}x`);
      out(
        `  one call, p50: direct ${d.p50Ms.toFixed(2)} ms, through toolmesh ${t.p50Ms.toFixed(2)} ms: +${report.addedLatencyMs.toFixed(2)} ms added (p99 ${d.p99Ms.toFixed(2)} / ${t.p99Ms.toFixed(2)} ms)`,
      );
      out(
        `  without the MCP front door (gRPC): CallTools all at once ${range(grpcTimes)} (${(directMs / grpcMs).toFixed(2)}x); CallTool one at a time p50 ${g.p50Ms.toFixed(2)} ms (+${(g.p50Ms - d.p50Ms).toFixed(2)} ms)`,
      );
      out(
        `  CPU per call: direct ${report.directCpuMsPerCall.toFixed(2)} ms (client + server; the server alone ${(directServerMs / reads).toFixed(2)}), through toolmesh ${report.toolmeshCpuMsPerCall.toFixed(2)} ms (${spent.map(([k, ms]) => `${k} ${(ms / reads).toFixed(2)}`).join(", ")})`,
      );
      out(
        `  ceiling on ${cores} cores: the server's own CPU alone needs >= ${floorMs.toFixed(0)} ms for ${reads} reads, so no parallel path can beat (a) by more than ${(directMs / floorMs).toFixed(2)}x here`,
      );
      return report;
    } finally {
      await release();
    }
  });
}
