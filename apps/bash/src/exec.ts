import { ErrorCode, ToolError } from "@toolmesh/core";
import { spawn } from "node:child_process";
import { OutputBuffer } from "./output-buffer.js";
import { sandboxArgv, type SandboxOptions } from "./sandbox.js";

export interface ExecRequest {
  command: string[];
  stdin?: string | undefined;
  timeoutMs: number;
  idleTimeoutMs: number;
  maxOutputBytes: number;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  stdoutBytes: number;
  stderrBytes: number;
  durationMs: number;
  /** Why the command was killed, if it was: "timeout", "idle" or "cancelled". */
  killed?: "timeout" | "idle" | "cancelled";
}

export type ChunkSink = (stream: "stdout" | "stderr", data: string) => void;

/**
 * Runs one command in its own process group (and, under bubblewrap, its own
 * PID namespace), so that on timeout, idle timeout or cancel the whole group
 * is killed with SIGKILL: nothing the command started outlives the call.
 */
export function execSandboxed(bwrap: string | undefined, sandbox: SandboxOptions, request: ExecRequest, signal: AbortSignal, onChunk?: ChunkSink): Promise<ExecResult> {
  const { file, args, cwd } = sandboxArgv(bwrap, sandbox, request.command);
  const env = sandbox.kind === "none" ? { HOME: sandbox.workspace, ...sandbox.env } : { PATH: "/usr/bin:/bin" };
  const started = performance.now();
  // As root, drop to the sandbox uid before bwrap runs, so the user
  // namespace maps that uid and nothing of root's reaches the command.
  const identity = process.getuid?.() === 0 ? { uid: sandbox.uid, gid: sandbox.uid } : {};
  const child = spawn(file, args, { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe"], ...identity });
  const stdout = new OutputBuffer(request.maxOutputBytes);
  const stderr = new OutputBuffer(request.maxOutputBytes);
  let killed: ExecResult["killed"];

  const killTree = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const killGroup = (reason: NonNullable<ExecResult["killed"]>): void => {
    killed ??= reason;
    killTree();
  };
  const deadline = setTimeout(() => killGroup("timeout"), request.timeoutMs);
  let idleTimer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    if (request.idleTimeoutMs <= 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => killGroup("idle"), request.idleTimeoutMs);
  };
  touch();
  const onAbort = (): void => killGroup("cancelled");
  signal.addEventListener("abort", onAbort, { once: true });

  child.stdout.on("data", (chunk: Buffer) => {
    stdout.push(chunk);
    touch();
    onChunk?.("stdout", chunk.toString("utf8"));
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr.push(chunk);
    touch();
    onChunk?.("stderr", chunk.toString("utf8"));
  });
  child.stdin.on("error", () => undefined); // a command that never reads its stdin
  child.stdin.end(request.stdin ?? "");

  return new Promise((resolve, reject) => {
    child.once("error", (err) => {
      clearTimeout(deadline);
      clearTimeout(idleTimer);
      reject(new ToolError(ErrorCode.UNAVAILABLE, `could not start the sandbox: ${err.message}`));
    });
    child.once("close", (code, sig) => {
      clearTimeout(deadline);
      clearTimeout(idleTimer);
      signal.removeEventListener("abort", onAbort);
      // The leader is gone; make sure nothing of its group is left either.
      killTree();
      if (killed === "cancelled") {
        reject(signal.reason instanceof ToolError ? signal.reason : new ToolError(ErrorCode.CANCELLED, "the call was cancelled"));
        return;
      }
      resolve({
        exitCode: code,
        signal: sig,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        stdoutBytes: stdout.totalBytes,
        stderrBytes: stderr.totalBytes,
        durationMs: Math.round(performance.now() - started),
        ...(killed ? { killed } : {}),
      });
    });
  });
}
