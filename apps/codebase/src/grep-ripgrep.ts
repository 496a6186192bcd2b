import { ErrorCode, ToolError } from "@toolmesh/core";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { clip, type GrepArgs, type GrepMatch, type GrepResult } from "./grep-types.js";
import type { CodebaseRoot } from "./roots.js";

/** The ripgrep binary if it runs here (`rg --version`), else undefined. */
export function detectRipgrep(candidate = "rg"): string | undefined {
  return spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0 ? candidate : undefined;
}

interface RgText {
  text?: string;
  bytes?: string;
}
interface RgLine {
  type: "begin" | "match" | "context" | "end" | "summary";
  data: { path?: RgText; lines?: RgText; line_number?: number; submatches?: Array<{ start: number }> };
}

const decode = (t: RgText | undefined): string => t?.text ?? (t?.bytes ? Buffer.from(t.bytes, "base64").toString("utf8") : "");
const stripEol = (line: string): string => line.replace(/\r?\n$/, "");

/**
 * Ignore files of the directories between the root and the search start:
 * ripgrep must apply them (the walker does) but must not look above the root.
 */
function ancestorIgnoreFiles(root: CodebaseRoot, startRel: string): string[] {
  if (startRel === ".") return [];
  const parts = startRel.split("/");
  const files: string[] = [];
  for (let depth = 0; depth < parts.length; depth++) {
    for (const name of [".gitignore", ".ignore"]) {
      const file = join(root.dir, ...parts.slice(0, depth), name);
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

/**
 * Arguments that make ripgrep behave like the built-in walker: the same
 * ignore files whether or not the tree is a git repository, none from above
 * the root, no user config or global excludes, deterministic path order.
 */
function ripgrepArgs(root: CodebaseRoot, args: GrepArgs, startRel: string): string[] {
  const argv = ["--json", "--sort", "path", "--no-config", "--no-require-git", "--no-ignore-global", "--no-ignore-parent", args.ignoreCase ? "-i" : "-s"];
  if (args.gitignore) for (const file of ancestorIgnoreFiles(root, startRel)) argv.push("--ignore-file", file);
  if (args.literal) argv.push("-F");
  if (args.hidden) argv.push("--hidden");
  if (!args.gitignore) argv.push("--no-ignore");
  if (args.contextLines > 0) argv.push("-C", String(args.contextLines));
  for (const glob of args.include) argv.push("-g", glob);
  for (const glob of args.exclude) argv.push("-g", `!${glob}`);
  argv.push("-e", args.pattern);
  if (startRel !== ".") argv.push("--", startRel);
  return argv;
}

/**
 * Runs `rg --json` in the root and turns its stream into matches. The child
 * is killed on abort and once maxResults is passed (after the current file,
 * so the last matches keep their after-context).
 */
export function grepRipgrep(rg: string, root: CodebaseRoot, startRel: string, args: GrepArgs, signal: AbortSignal): Promise<GrepResult> {
  const child = spawn(rg, ripgrepArgs(root, args, startRel), { cwd: root.dir, stdio: ["ignore", "pipe", "pipe"] });
  const matches: GrepMatch[] = [];
  const lineText = new Map<string, Map<number, string>>();
  let truncated = false;
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const kill = (): void => void child.kill("SIGKILL");
  signal.addEventListener("abort", kill, { once: true });

  createInterface({ input: child.stdout }).on("line", (raw) => {
    if (truncated && !raw.startsWith('{"type":"end"')) return;
    const msg = JSON.parse(raw) as RgLine;
    const path = decode(msg.data.path);
    if (msg.type === "end" && truncated) return kill();
    if (msg.type !== "match" && msg.type !== "context") return;
    const text = stripEol(decode(msg.data.lines));
    const lineNo = msg.data.line_number ?? 0;
    if (args.contextLines > 0) {
      const lines = lineText.get(path) ?? new Map<number, string>();
      lines.set(lineNo, clip(text));
      lineText.set(path, lines);
    }
    if (msg.type !== "match") return;
    if (matches.length >= args.maxResults) {
      truncated = true;
      return;
    }
    const byteStart = msg.data.submatches?.[0]?.start ?? 0;
    const column = Buffer.from(text, "utf8").subarray(0, byteStart).toString("utf8").length + 1;
    matches.push({ path, line: lineNo, column, text: clip(text) });
  });

  return new Promise((resolve, reject) => {
    child.once("error", (err) => reject(new ToolError(ErrorCode.UNAVAILABLE, `could not run ripgrep: ${err.message}`)));
    child.once("close", (code) => {
      signal.removeEventListener("abort", kill);
      if (signal.aborted) return reject(signal.reason instanceof ToolError ? signal.reason : new ToolError(ErrorCode.CANCELLED, "the call was cancelled"));
      // 0: matches, 1: none, 2: an error (a bad regex, or unreadable files alongside results).
      if (code === 2 && matches.length === 0 && !truncated) {
        const message = stderr.trim().split("\n").slice(0, 6).join("\n");
        return reject(new ToolError(ErrorCode.INVALID_ARGUMENT, `ripgrep: ${message}`));
      }
      if (args.contextLines > 0) addContext(matches, lineText, args.contextLines);
      resolve({ matches, truncated });
    });
  });
}

function addContext(matches: GrepMatch[], lineText: Map<string, Map<number, string>>, context: number): void {
  for (const match of matches) {
    const lines = lineText.get(match.path)!;
    const before: string[] = [];
    for (let n = match.line - context; n < match.line; n++) if (lines.has(n)) before.push(lines.get(n)!);
    const after: string[] = [];
    for (let n = match.line + 1; n <= match.line + context; n++) if (lines.has(n)) after.push(lines.get(n)!);
    match.before = before;
    match.after = after;
  }
}
