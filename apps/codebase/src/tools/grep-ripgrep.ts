import { ErrorCode, ToolError, abortedError } from "@toolmesh/core";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { TextDecoder } from "node:util";
import { checkAborted } from "./errors.js";
import type { GrepJob } from "./grep-job.js";
import { ripgrepInvocation } from "./rg-args.js";
import { codePointLength, displayLine } from "./text.js";
import type { GrepMatch, GrepOutcome } from "./types.js";

interface RgText {
  text?: string;
  bytes?: string;
}
interface RgMessage {
  type: "begin" | "match" | "context" | "end" | "summary";
  data: { path?: RgText; lines?: RgText; line_number?: number; submatches?: Array<{ start: number }>; binary_offset?: number | null };
}

const utf8 = new TextDecoder();
const bytesOf = (t: RgText): Buffer => (t.text !== undefined ? Buffer.from(t.text, "utf8") : Buffer.from(t.bytes ?? "", "base64"));
/** Non-UTF-8 data arrives base64'd; it is decoded with U+FFFD, as the built-in engine decodes files. */
const decode = (t: RgText | undefined): string => (t === undefined ? "" : (t.text ?? utf8.decode(bytesOf(t))));
const lineText = (t: RgText | undefined): string => displayLine(decode(t).replace(/\n$/, ""));

/** ripgrep gives the byte offset of the first match; the tools report a 1-based code point column. */
function columnOf(t: RgText | undefined, byteStart: number): number {
  if (t === undefined) return 1;
  if (t.text !== undefined && Buffer.byteLength(t.text) === t.text.length) return byteStart + 1;
  return codePointLength(utf8.decode(bytesOf(t).subarray(0, byteStart))) + 1;
}

interface FileState {
  path: string;
  keep: boolean;
  bound: number;
  matches: GrepMatch[];
  /** Text of every line seen near a kept match (matches and context), for before/after. */
  lines: Map<number, string>;
  lastKept: number;
}

/**
 * Runs `rg --json` in the root and turns its stream into matches. A file's
 * matches are taken at its "end" message, and dropped if ripgrep met a NUL
 * in it (binary_offset): the built-in engine treats such files as binary
 * too. The child is killed on abort and once maxResults is passed.
 */
export async function grepRipgrep(rg: string, job: GrepJob, signal: AbortSignal): Promise<GrepOutcome> {
  checkAborted(signal);
  const { args, filter, start } = job;
  const context = args.contextLines;
  const invocation = await ripgrepInvocation(job);
  const matches: GrepMatch[] = [];
  let truncated = false;
  let file: FileState | undefined;

  // Paths come from ripgrep's walk, which never follows symlinks; checked anyway, and filtered like the walker's.
  const accept = (path: string): boolean =>
    path !== "" &&
    !path.startsWith("/") &&
    !path.split("/").includes("..") &&
    (start.rel === "" || path === start.rel || path.startsWith(`${start.rel}/`)) &&
    filter.accepts(path);

  const commit = (state: FileState): void => {
    for (const m of state.matches) {
      if (matches.length >= args.maxResults) {
        truncated = true;
        return;
      }
      if (context > 0) {
        m.before = [];
        m.after = [];
        for (let n = m.line - context; n < m.line; n++) if (state.lines.has(n)) m.before.push(state.lines.get(n)!);
        for (let n = m.line + 1; n <= m.line + context; n++) if (state.lines.has(n)) m.after.push(state.lines.get(n)!);
      }
      matches.push(m);
    }
  };

  const onMessage = (msg: RgMessage): void => {
    const d = msg.data;
    if (msg.type === "begin") {
      const path = decode(d.path).replace(/^\.\//, "");
      file = { path, keep: accept(path), bound: args.maxResults + 1 - matches.length, matches: [], lines: new Map(), lastKept: 0 };
    } else if ((msg.type === "match" || msg.type === "context") && file?.keep) {
      const n = d.line_number ?? 0;
      const collecting = file.matches.length < file.bound;
      const needed = (msg.type === "match" && collecting) || (context > 0 && (collecting || n <= file.lastKept + context));
      if (!needed) return;
      const text = lineText(d.lines);
      if (context > 0) file.lines.set(n, text);
      if (msg.type === "match" && collecting) {
        file.matches.push({ path: file.path, line: n, column: columnOf(d.lines, d.submatches?.[0]?.start ?? 0), text });
        file.lastKept = n;
      }
    } else if (msg.type === "end" && file?.keep) {
      if (d.binary_offset === null || d.binary_offset === undefined) commit(file);
      file = undefined;
    }
  };

  try {
    await run(rg, invocation.argv, job.root.dir, signal, onMessage, () => truncated);
    return { matches, truncated };
  } finally {
    await invocation.cleanup();
  }
}

/** Spawns ripgrep and feeds its JSON messages to `onMessage` until it exits, or until `done()` says enough. */
function run(
  rg: string,
  argv: string[],
  cwd: string,
  signal: AbortSignal,
  onMessage: (m: RgMessage) => void,
  done: () => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(rg, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let failure: ToolError | undefined;
    let stopped = false;
    let sawSummary = false;
    let stderr = "";
    const stop = (): void => {
      stopped = true;
      child.kill("SIGKILL");
    };
    signal.addEventListener("abort", stop, { once: true });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 16_384) stderr += chunk.toString();
    });
    createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (raw) => {
      if (stopped) return;
      try {
        const msg = JSON.parse(raw) as RgMessage;
        if (msg.type === "summary") sawSummary = true;
        onMessage(msg);
        if (done()) stop();
      } catch (err) {
        failure = new ToolError(ErrorCode.INTERNAL, `unreadable ripgrep output: ${err instanceof Error ? err.message : String(err)}`);
        stop();
      }
    });
    let settled = false;
    const settle = (code: number | null): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", stop);
      if (signal.aborted) return reject(abortedError(signal));
      if (failure) return reject(failure);
      if (stopped || code === 0 || code === 1 || (code === 2 && sawSummary)) return resolve();
      const message = stderr.trim().split("\n").slice(0, 8).join("\n");
      // Exit 2 before any search is a bad pattern or glob; the message is ripgrep's own.
      if (code === 2) return reject(new ToolError(ErrorCode.INVALID_ARGUMENT, `ripgrep refused the search: ${message}`));
      reject(new ToolError(ErrorCode.INTERNAL, `ripgrep exited with ${code ?? "a signal"}: ${message}`));
    };
    child.once("error", (err) => {
      failure = new ToolError(ErrorCode.UNAVAILABLE, `could not run ripgrep (${rg}): ${err.message}`);
      settle(null);
    });
    child.once("close", settle);
  });
}
