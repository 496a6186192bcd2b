/**
 * `toolmesh-bench explore [PATH]` (`npm run bench:explore`): the explore-codebase template over a real
 * tree, its calls fanned out over the codebase pool, against the very same
 * workflow with `limits.maxConcurrency = 1` — every call one after another
 * through the same services. Same tree, same calls, same run; the ratio is
 * what parallel execution buys.
 */
import { ToolmeshClient } from "@toolmesh/client";
import { runsInCoordinator } from "@toolmesh/core";
import { startNatsServer, type NatsServerHandle } from "@toolmesh/local";
import { WorkflowSpec, WorkflowState, type Workflow } from "@toolmesh/proto";
import { resolve } from "node:path";
import { ProcessGroup, appScript } from "./processes.js";
import { withInterruptCleanup } from "./signals.js";

export interface ExploreBenchOptions {
  path: string;
  question: string;
  maxFiles: number;
  out: (line: string) => void;
}

export interface ExploreBenchReport {
  calls: number;
  sequentialMs: number;
  parallelMs: number;
  speedup: number;
}

/** Calls that ran in a worker pool (fan-out items and plain calls, not synthesis or fan-out parents). */
function poolCalls(wf: Workflow): number {
  return wf.tasks.filter((t) => !runsInCoordinator(t.pool) && !(t.output && "items" in t.output && Array.isArray(t.output.items))).length;
}

async function timed(client: ToolmeshClient, spec: WorkflowSpec): Promise<{ ms: number; wf: Workflow }> {
  const started = performance.now();
  const wf = await client.run(spec);
  const ms = performance.now() - started;
  if (wf.state !== WorkflowState.WORKFLOW_STATE_SUCCEEDED)
    throw new Error(`workflow ${wf.id} ended ${WorkflowState[wf.state]}: ${wf.error}`);
  return { ms, wf };
}

export async function runExploreBench(options: ExploreBenchOptions): Promise<ExploreBenchReport> {
  const { out } = options;
  let nats: NatsServerHandle | undefined;
  const group = new ProcessGroup();
  const release = async (): Promise<void> => {
    await group.stopAll();
    await nats?.stop();
  };
  return withInterruptCleanup(release, async () => {
    try {
      nats = await startNatsServer();
      const common = { TOOLMESH_NATS_URL: nats.url, TOOLMESH_METRICS_PORT: "-1", TOOLMESH_LOG_LEVEL: "info" };
      const root = resolve(options.path);
      const [coordinator] = await group.start(
        {
          name: "coordinator",
          script: appScript("coordinator"),
          env: { ...common, TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_PORT: "0" },
        },
        { name: "codebase", script: appScript("codebase"), env: { ...common, TOOLMESH_CODEBASE_ROOTS: root } },
      );
      const client = new ToolmeshClient(`127.0.0.1:${String(coordinator!.ready.grpcPort)}`);
      try {
        const spec = await client.expandTemplate({
          template: "explore-codebase",
          params: { path: ".", question: options.question, maxFiles: options.maxFiles },
        });
        const sequential = WorkflowSpec.fromPartial({
          ...spec,
          name: `${spec.name} (one call at a time)`,
          limits: { ...spec.limits, maxConcurrency: 1 },
        });
        out(`explore-codebase over ${root}, question "${options.question}"`);
        // Warm-up (JIT, page cache, the pool's first pulls), not counted.
        await timed(client, spec);
        const seq = await timed(client, sequential);
        const par = await timed(client, spec);
        const calls = poolCalls(par.wf);
        if (poolCalls(seq.wf) !== calls) throw new Error(`the two runs made different numbers of calls: ${poolCalls(seq.wf)} vs ${calls}`);
        const report = { calls, sequentialMs: seq.ms, parallelMs: par.ms, speedup: seq.ms / par.ms };
        out(`  calls in the codebase pool      ${calls}`);
        out(`  one after another               ${seq.ms.toFixed(0)} ms (${(seq.ms / calls).toFixed(2)} ms a call)`);
        out(`  fanned out (pool limit default) ${par.ms.toFixed(0)} ms`);
        out(`  speed-up                        ${report.speedup.toFixed(2)}x`);
        return report;
      } finally {
        client.close();
      }
    } finally {
      await release();
    }
  });
}
