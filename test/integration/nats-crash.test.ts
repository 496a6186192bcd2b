import { ToolmeshClient } from "@toolmesh/client";
import { startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { isAlive, startNatsServer, waitFor, type NatsServerHandle } from "@toolmesh/testing";
import { chmod, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { repoRoot } from "../support/stack.js";

/**
 * Effectively once through a nats-server crash: real processes (nats-server
 * with a file store, the coordinator, two bash pool workers), 200
 * side-effecting bash.exec calls, each appending its id to a file; the
 * server is killed with SIGKILL in the middle and started again on the same
 * port and store. Every call must end — succeeded, or failed with "outcome
 * unknown" — and none may have run twice.
 *
 * The bash pool runs unsandboxed here (TOOLMESH_BASH_SANDBOX=none): a
 * sandboxed command can write only in its workspace, a tmpfs the host does
 * not see, and the file is how the test counts runs. The ledger is the same
 * either way: it is the runtime's, below the tool.
 */
const CALLS = 200;
let nats: NatsServerHandle;
let dir: string;
const services: ServiceProcess[] = [];
let client: ToolmeshClient | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "toolmesh-nats-crash-"));
  nats = await startNatsServer({ storeDir: join(dir, "jetstream") });
  const common = {
    TOOLMESH_NATS_URL: nats.url,
    TOOLMESH_METRICS_PORT: "-1",
    TOOLMESH_METRICS_INTERVAL_MS: "200",
    TOOLMESH_LOG_LEVEL: "info",
  };
  const coordinator = await startServiceProcess({
    name: "coordinator",
    script: `${repoRoot}/apps/coordinator/dist/main.js`,
    env: { ...common, TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_PORT: "0", TOOLMESH_RESULT_ACK_WAIT_MS: "2000" },
    logFile: join(dir, "coordinator.log"),
    readyTimeoutMs: 60_000,
  });
  services.push(coordinator);
  for (const id of ["bash-a", "bash-b"]) {
    services.push(
      await startServiceProcess({
        name: id,
        script: `${repoRoot}/apps/bash/dist/main.js`,
        env: {
          ...common,
          TOOLMESH_INSTANCE_ID: id,
          TOOLMESH_BASH_SANDBOX: "none",
          TOOLMESH_BASH_WORKSPACE: join(dir, `workspace-${id}`),
          TOOLMESH_POOL_LIMIT: "16",
          // Short, so that attempts whose acks the crash lost come back within the test.
          TOOLMESH_ACK_WAIT_MS: "3000",
        },
        logFile: join(dir, `${id}.log`),
        readyTimeoutMs: 60_000,
      }),
    );
  }
  client = new ToolmeshClient(`127.0.0.1:${String(coordinator.ready.grpcPort)}`);
}, 120_000);

afterAll(async () => {
  client?.close();
  for (const service of services) service.kill();
  await nats?.stop({ keepStore: true });
  await rm(dir, { recursive: true, force: true });
});

type Outcome = { kind: "succeeded" } | { kind: "unknown"; message: string } | { kind: "failed"; message: string };

it(`kill -9 of nats-server in the middle of ${CALLS} side-effecting calls: every call ends, none ran twice`, async () => {
  // Commands of a service running as root run as an unprivileged uid: the file's directory lets them write.
  const shared = join(dir, "shared");
  await mkdir(shared);
  await chmod(dir, 0o755);
  await chmod(shared, 0o777);
  const log = join(shared, "runs.log");
  const outcomes = new Map<number, Outcome>();
  const calls = Array.from({ length: CALLS }, async (_, i) => {
    try {
      await client!.call({ tool: "bash.exec", args: { command: `echo call-${i} >> ${log}; sleep 0.2` }, timeoutMs: 90_000 });
      outcomes.set(i, { kind: "succeeded" });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      outcomes.set(i, /outcome unknown/.test(message) ? { kind: "unknown", message } : { kind: "failed", message });
    }
  });

  // The middle: a third of the calls done, others running and queued.
  await waitFor(() => outcomes.size >= CALLS / 3, 120_000, `${CALLS / 3} calls to finish`);
  const pid = nats.pid!;
  process.kill(pid, "SIGKILL");
  await waitFor(() => !isAlive(pid), 10_000, "nats-server to die");
  const finishedAtKill = outcomes.size;
  await nats.restart();

  await Promise.all(calls);
  const lines = (await readFile(log, "utf8")).split("\n").filter(Boolean);
  const runs = new Map<string, number>();
  for (const line of lines) runs.set(line, (runs.get(line) ?? 0) + 1);
  const twice = [...runs].filter(([, n]) => n > 1).map(([id]) => id);
  const count = (kind: Outcome["kind"]): number => [...outcomes.values()].filter((o) => o.kind === kind).length;
  const summary = {
    calls: CALLS,
    finishedAtKill,
    succeeded: count("succeeded"),
    outcomeUnknown: count("unknown"),
    ranTwice: twice.length,
    lost: count("failed"),
  };
  const unknownRan = [...outcomes].filter(([i, o]) => o.kind === "unknown" && runs.get(`call-${i}`) === 1).length;
  console.log("nats-server kill -9:", JSON.stringify({ ...summary, outcomeUnknownThatHadRun: unknownRan }));
  // Lost: a call that did not end succeeded or "outcome unknown" (a result that never came ends in DEADLINE_EXCEEDED).
  const lost = [...outcomes.values()].filter((o) => o.kind === "failed");
  expect(lost.map((f) => (f as { message: string }).message)).toEqual([]);
  expect(twice).toEqual([]);
  // A call that succeeded ran exactly once; one whose outcome is unknown ran at most once.
  for (const [i, outcome] of outcomes) {
    if (outcome.kind === "succeeded") expect(runs.get(`call-${i}`), `call-${i}`).toBe(1);
  }
}, 300_000);
