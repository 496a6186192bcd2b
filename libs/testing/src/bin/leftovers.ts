#!/usr/bin/env node
/**
 * What a test run left behind.
 *
 *   node libs/testing/dist/bin/leftovers.js check [RUN_ID]
 *     Lists every process still alive with TOOLMESH_TEST_RUN=RUN_ID (default:
 *     the variable's value here) and the run's temp dir if it is still there;
 *     exits 1 when there is any. .ci/run runs it after `npm test`.
 *
 *   node libs/testing/dist/bin/leftovers.js reap RUN_ID --temp-dir DIR [--exclude PID,...] [--grace-ms MS]
 *     Stops them (SIGTERM, then SIGKILL) and removes DIR: the globalSetup
 *     starts this, detached, when the vitest run is interrupted.
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RUN_MARKER, describeProcesses, killProcesses, lineage, runProcesses, runTempDirName } from "../run-guard.js";

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const runId = rest[0] && !rest[0].startsWith("--") ? rest[0] : process.env[RUN_MARKER];
  if (!runId || (command !== "check" && command !== "reap")) {
    process.stderr.write(
      `usage: leftovers check [RUN_ID] | leftovers reap RUN_ID --temp-dir DIR [--exclude PID,...] [--grace-ms MS]\n(RUN_ID defaults to $${RUN_MARKER})\n`,
    );
    return 2;
  }
  const tempDir = option(rest, "--temp-dir") ?? join(tmpdir(), runTempDirName(runId));
  const exclude = lineage();
  for (const pid of (option(rest, "--exclude") ?? "").split(",").filter(Boolean)) exclude.add(Number(pid));

  if (command === "reap") {
    // The interrupted vitest is still exiting; give its workers a moment to take their children along.
    await sleep(200);
    const leftovers = runProcesses(runId, { tempDir, exclude });
    if (leftovers.length > 0) {
      process.stderr.write(
        `test run ${runId} was interrupted; stopping ${leftovers.length} process(es) it started:\n${describeProcesses(leftovers)}\n`,
      );
      await killProcesses(
        leftovers.map((p) => p.pid),
        Number(option(rest, "--grace-ms") ?? 3000),
      );
    }
    rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
    return 0;
  }

  const leftovers = runProcesses(runId, { tempDir, exclude });
  let failed = false;
  if (leftovers.length > 0) {
    failed = true;
    process.stderr.write(
      `leftovers: ${leftovers.length} process(es) of test run ${runId} are still alive after the run:\n${describeProcesses(leftovers)}\n`,
    );
  }
  if (existsSync(tempDir)) {
    failed = true;
    process.stderr.write(`leftovers: the run's temp dir ${tempDir} is still there\n`);
  }
  if (!failed) process.stderr.write(`leftovers: nothing of test run ${runId} is left\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
