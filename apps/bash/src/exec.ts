import { ErrorCode, ToolError, abortedError } from "@toolmesh/core";
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
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
}

/** Why a command was killed; a timeout or idle timeout becomes DEADLINE_EXCEEDED, a cancel CANCELLED. */
type KillReason = "timeout" | "idle" | "cancelled";

export type ChunkSink = (stream: "stdout" | "stderr", data: string) => void;

/**
 * Runs one command in its own process group (and, under bubblewrap, its own
 * PID namespace), so that on timeout, idle timeout or cancel the whole group
 * is killed with SIGKILL: nothing the command started outlives the call.
 * Resolves with the command's result whatever its exit code; rejects with
 * DEADLINE_EXCEEDED (timeout, idle timeout), CANCELLED, or FAILED_PRECONDITION
 * when bwrap could not set the sandbox up (its message included).
 */
export function execSandboxed(
  bwrap: string | undefined,
  sandbox: SandboxOptions,
  request: ExecRequest,
  signal: AbortSignal,
  onChunk?: ChunkSink,
): Promise<ExecResult> {
  const { file, args } = sandboxArgv(bwrap, sandbox, request.command);
  const bound = sandbox.workspace.kind === "bind" ? sandbox.workspace : undefined;
  const env = sandbox.kind === "none" ? { HOME: bound?.path ?? "/", ...sandbox.env } : { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" };
  const cwd = sandbox.kind === "none" && bound ? `${bound.path}/${sandbox.cwd}` : "/";
  const started = performance.now();
  // As root, drop to the sandbox uid before bwrap runs, so the user
  // namespace maps that uid and nothing of root's reaches the command
  // (nsenter drops it itself, after entering the workspace's namespace).
  const entering = bound?.enterPid !== undefined && sandbox.kind === "bwrap";
  const identity = process.getuid?.() === 0 && !entering ? { uid: sandbox.uid, gid: sandbox.uid } : {};
  const child = spawn(file, args, { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe", "pipe"], ...identity });
  const stdout = new OutputBuffer(request.maxOutputBytes);
  const stderr = new OutputBuffer(request.maxOutputBytes);
  let commandStarted = false;
  let killed: KillReason | undefined;

  const killTree = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const killGroup = (reason: KillReason): void => {
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
  // The sandbox's wrapper writes one byte here just before it execs the command.
  (child.stdio[3] as Readable).on("data", () => (commandStarted = true));
  child.stdin.on("error", () => undefined); // a command that never reads its stdin
  child.stdin.end(request.stdin ?? "");

  return new Promise((resolve, reject) => {
    child.once("error", (err) => {
      clearTimeout(deadline);
      clearTimeout(idleTimer);
      signal.removeEventListener("abort", onAbort);
      reject(new ToolError(ErrorCode.UNAVAILABLE, `could not start the sandbox: ${err.message}`));
    });
    child.once("close", (code, sig) => {
      clearTimeout(deadline);
      clearTimeout(idleTimer);
      signal.removeEventListener("abort", onAbort);
      // The leader is gone; make sure nothing of its group is left either.
      killTree();
      if (killed === "cancelled") {
        reject(abortedError(signal));
        return;
      }
      // Without the sentinel byte the command never ran: this is the sandbox's own failure.
      if (!killed && !commandStarted) {
        reject(sandboxFailure(stderr.text(), code));
        return;
      }
      if (killed) {
        const limit =
          killed === "timeout"
            ? `its timeout (timeoutMs ${request.timeoutMs})`
            : `its idle timeout (no output for idleTimeoutMs ${request.idleTimeoutMs})`;
        reject(
          new ToolError(
            ErrorCode.DEADLINE_EXCEEDED,
            `the command was killed after ${Math.round(performance.now() - started)} ms at ${limit}${outputSoFar(stdout, stderr)}`,
          ),
        );
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
      });
    });
  });
}

/** The sandbox did not start: bwrap's (or nsenter's) own message, as FAILED_PRECONDITION or, for a cwd that is not there, NOT_FOUND. */
function sandboxFailure(stderr: string, code: number | null): ToolError {
  const message = stderr.trim().split("\n").filter(Boolean).slice(-3).join("; ") || `exit code ${code}`;
  if (/Can't chdir to \/work/.test(message)) return new ToolError(ErrorCode.NOT_FOUND, `cwd does not exist in the workspace (${message})`);
  return new ToolError(ErrorCode.FAILED_PRECONDITION, `the sandbox could not start: ${message}`);
}

/** The end of what the command wrote before it was killed, for the error message (ToolError carries no details). */
function outputSoFar(stdout: OutputBuffer, stderr: OutputBuffer): string {
  const tail = (text: string): string => (text.length > 1024 ? `…${text.slice(-1024)}` : text);
  const parts = [
    stdout.totalBytes ? `stdout so far (${stdout.totalBytes} bytes): ${tail(stdout.text())}` : "",
    stderr.totalBytes ? `stderr so far (${stderr.totalBytes} bytes): ${tail(stderr.text())}` : "",
  ];
  const text = parts.filter(Boolean).join("; ");
  return text ? `; ${text}` : "; no output";
}
