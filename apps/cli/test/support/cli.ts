import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const cliBin = fileURLToPath(new URL("../../bin/toolmesh.js", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A directory of its own, outside any repository's .toolmesh. */
export function tempDir(prefix = "toolmesh-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The built `toolmesh` as a real process in `cwd`, with none of the
 * caller's toolmesh settings: only `env` and a TOOLMESH_STATE_DIR (an empty
 * directory unless given) say where the stack is.
 */
export function toolmesh(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ["TOOLMESH_ADDRESS", "TOOLMESH_GRPC_TOKEN", "TOOLMESH_NATS_URL", "TOOLMESH_RENDER", "TOOLMESH_STATE_DIR"])
    delete env[name];
  const cwd = options.cwd ?? tempDir();
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd,
    env: { ...env, TOOLMESH_STATE_DIR: cwd, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
