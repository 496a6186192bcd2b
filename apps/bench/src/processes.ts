import { startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** The services a benchmark runs, each this package's dependency. */
export type BenchedApp = "coordinator" | "codebase" | "mcp-pool" | "testpool";

/** A service's process entry, through its package's ./main export: apps are run, never reached into by path. */
export function appScript(app: BenchedApp): string {
  return require.resolve(`@toolmesh/${app}/main`);
}

/** The `toolmesh` command (its `mcp` is the front door bench mcp measures). */
export function cliScript(): string {
  return require.resolve("toolmesh/bin/toolmesh.js");
}

/** A compiled helper script next to this module (responder, bullmq-worker). */
export function benchScript(name: string): string {
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

export interface ChildSpec {
  name: string;
  script: string;
  env: Record<string, string | undefined>;
  /** Node options before the script (a pool worker's WORKER_NODE_ARGS). */
  nodeArgs?: readonly string[];
}

/**
 * The child processes of one benchmark phase. Every child logs a JSON
 * `"msg":"ready"` line when it can take work and exits by itself if this
 * process dies (TOOLMESH_EXIT_WITH_PARENT), so even a crashed bench leaves
 * nothing behind.
 */
export class ProcessGroup {
  readonly #children: ServiceProcess[] = [];

  /** Starts all in parallel; if any fails, the ones that did start are stopped. */
  async start(...specs: ChildSpec[]): Promise<ServiceProcess[]> {
    const outcomes = await Promise.allSettled(specs.map((spec) => this.#startOne(spec)));
    const started = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    this.#children.push(...started);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
    return started;
  }

  async stopAll(): Promise<void> {
    const children = this.#children.splice(0).reverse();
    await Promise.all(children.map((child) => child.stop(5_000)));
  }

  #startOne(spec: ChildSpec): Promise<ServiceProcess> {
    return startServiceProcess({ name: spec.name, script: spec.script, env: spec.env, nodeArgs: [...(spec.nodeArgs ?? [])] });
  }
}
