/**
 * vitest globalSetup (vitest.config.ts): nothing a test run starts outlives it.
 *
 * Before any worker exists it puts a run id in the environment
 * (TOOLMESH_TEST_RUN, kept when a CI script already set one) and points TMPDIR
 * at a directory of its own, so every process the tests start inherits both
 * and every temp dir they make lands in one place. At the end it kills what
 * still carries the id (SIGTERM, SIGKILL after a grace), then removes the
 * directory. vitest does not run globalSetup teardowns when it is interrupted
 * (SIGINT/SIGTERM exit at once), so then a detached reaper does the same.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RUN_MARKER, describeProcesses, killProcesses, lineage, runProcesses, runTempDirName } from "./run-guard.js";

const GRACE_MS = 3000;

export default function setup(): () => Promise<void> {
  const runId = (process.env[RUN_MARKER] ||= randomUUID());
  const tempDir = join(tmpdir(), runTempDirName(runId));
  mkdirSync(tempDir, { recursive: true });
  // Sandboxed commands (bubblewrap, as an unprivileged uid) must reach workspaces made under it.
  chmodSync(tempDir, 0o755);
  const outerTmp = process.env.TMPDIR;
  process.env.TMPDIR = tempDir;

  const ours = (): Set<number> => {
    const mine = lineage();
    // vitest's own children (its workers, esbuild) carry the id too; what the tests start is further down.
    for (const p of runProcesses(runId, { exclude: mine })) if (p.ppid === process.pid) mine.add(p.pid);
    return mine;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    // vitest exits a millisecond after the signal: hand the work to a process that outlives it.
    const env = { ...process.env };
    delete env[RUN_MARKER];
    if (outerTmp === undefined) delete env.TMPDIR;
    else env.TMPDIR = outerTmp;
    const reaper = spawn(
      process.execPath,
      [
        fileURLToPath(new URL("./bin/leftovers.js", import.meta.url)),
        "reap",
        runId,
        "--temp-dir",
        tempDir,
        "--exclude",
        [...lineage()].join(","),
        "--grace-ms",
        String(GRACE_MS),
      ],
      {
        detached: true,
        stdio: ["ignore", "ignore", "inherit"],
        env,
      },
    );
    reaper.unref();
    process.stderr.write(`test run ${runId}: ${signal}; reaper ${reaper.pid} stops what the tests started\n`);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  return async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    const leftovers = runProcesses(runId, { tempDir, exclude: ours() });
    if (leftovers.length > 0) {
      process.stderr.write(
        `test run ${runId}: ${leftovers.length} process(es) outlived their tests; stopping them:\n${describeProcesses(leftovers)}\n`,
      );
      const stubborn = await killProcesses(
        leftovers.map((p) => p.pid),
        GRACE_MS,
      );
      if (stubborn.length > 0) process.stderr.write(`test run ${runId}: SIGKILLed ${stubborn.join(", ")} after ${GRACE_MS} ms\n`);
    }
    rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
    if (outerTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outerTmp;
  };
}
