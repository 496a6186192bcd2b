import { freePort, systemTool, waitFor } from "@toolmesh/testing";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/** The Prometheus server of Debian's prometheus package (the one that has promtool; .ci/run installs it). */
export const prometheusBinary = systemTool("prometheus", {
  package: "prometheus",
  purpose: "a real Prometheus scraping toolmesh, for the dashboard's queries",
  versionArgs: ["--version"],
});

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  /** An instant query through the HTTP API; rejects with Prometheus's error. */
  query(expr: string): Promise<PromSeries[]>;
  stop(): Promise<void>;
}

/**
 * Starts `prometheus` on a free loopback port with these scrape configs
 * (TSDB in a temporary directory), ready once /-/ready answers 200.
 */
export async function startPrometheus(scrapeConfigs: object[]): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, stringify({ global: { scrape_interval: "1s", evaluation_interval: "1s" }, scrape_configs: scrapeConfigs }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    prometheusBinary.binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
      },
      30_000,
      "prometheus to be ready",
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: PromSeries[] } };
      if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
      return body.data!.result;
    },
    stop,
  };
}
