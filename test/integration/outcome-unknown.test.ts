import { startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { waitFor } from "@toolmesh/testing";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { repoRoot, startStack, type TestStack } from "../support/stack.js";

/**
 * A side-effecting attempt whose worker dies mid-run is not run again behind
 * the caller's back: the worker that gets it redelivered finds it started in
 * the attempt ledger and reports "outcome unknown" (the retry policy, here one
 * attempt, decides). Real nats-server, bash pool workers as processes
 * (unsandboxed, so the test can count runs in a host file).
 */
let stack: TestStack;
let dir: string;
const workers: ServiceProcess[] = [];
/** The command's shell writes its pid here: bash.exec runs a command in a process group of its own, which outlives its worker. */
const commandPids: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  dir = await mkdtemp(join(tmpdir(), "toolmesh-outcome-"));
  await chmod(dir, 0o777);
});
afterAll(async () => {
  for (const worker of workers) worker.kill();
  for (const file of commandPids) {
    const pid = Number(await readFile(file, "utf8").catch(() => ""));
    if (pid > 0) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

function startBashWorker(id: string): Promise<ServiceProcess> {
  return startServiceProcess({
    name: id,
    script: `${repoRoot}/apps/bash/dist/main.js`,
    env: {
      TOOLMESH_NATS_URL: stack.nats.url,
      TOOLMESH_METRICS_PORT: "-1",
      TOOLMESH_INSTANCE_ID: id,
      TOOLMESH_BASH_SANDBOX: "none",
      TOOLMESH_BASH_WORKSPACE: join(dir, `workspace-${id}`),
      TOOLMESH_ACK_WAIT_MS: "2000",
    },
    // Its own process group: the SIGKILL takes the command's processes with it, as a lost machine would.
    processGroup: true,
    readyTimeoutMs: 60_000,
  }).then((worker) => {
    workers.push(worker);
    return worker;
  });
}

it("a bash.exec attempt whose worker is SIGKILLed mid-command fails with 'outcome unknown' naming that worker, and never runs twice", async () => {
  const log = join(dir, "runs.log");
  const pidFile = join(dir, "command.pid");
  commandPids.push(pidFile);
  const doomed = await startBashWorker("doomed");
  const call = stack.client
    .call({ tool: "bash.exec", args: { command: `echo $$ > ${pidFile}; echo ran >> ${log}; sleep 60` }, timeoutMs: 120_000 })
    .then(
      () => "succeeded",
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
  await waitFor(async () => (await readFile(log, "utf8").catch(() => "")).includes("ran"), 30_000, "the command to start");
  doomed.kill();
  await startBashWorker("survivor");

  expect(await call).toMatch(
    /UNAVAILABLE.*outcome unknown: attempt 1 of bash\.exec started on instance doomed .*not run again because bash\.exec has side effects/,
  );
  expect((await readFile(log, "utf8")).split("\n").filter(Boolean)).toEqual(["ran"]);
}, 120_000);
