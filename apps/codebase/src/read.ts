import { ErrorCode, ToolError } from "@toolmesh/core";
import type { ToolArgs, codeRead } from "@toolmesh/tools";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { pickRoot, resolveInRoot, type CodebaseRoot } from "./roots.js";
import { checkAborted } from "./walk.js";

type ReadArgs = ToolArgs<typeof codeRead>;

async function looksBinary(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

/**
 * code.read: a file, or lines startLine..endLine of it, streamed so a huge
 * file costs at most `maxBytes` of memory; whole lines only, with
 * `truncated` when the cap cut the range short.
 */
export async function readFileRange(roots: readonly CodebaseRoot[], args: ReadArgs, hardCap: number, signal: AbortSignal): Promise<Record<string, unknown>> {
  const root = pickRoot(roots, args.root);
  const file = await resolveInRoot(root, args.path);
  const info = await stat(file.abs);
  if (info.isDirectory()) throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is a directory; use code.glob to list it`);
  if (!info.isFile()) throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is not a regular file`);
  if (await looksBinary(file.abs)) throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is a binary file`);

  const maxBytes = Math.min(args.maxBytes, hardCap);
  const first = args.startLine ?? 1;
  const last = args.endLine ?? Number.POSITIVE_INFINITY;
  const kept: string[] = [];
  let bytes = 0;
  let lineNo = 0;
  let truncated = false;
  const lines = createInterface({ input: createReadStream(file.abs, { encoding: "utf8" }), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lineNo += 1;
    if (lineNo % 4096 === 0) checkAborted(signal);
    if (lineNo < first || lineNo > last || truncated) continue;
    const cost = Buffer.byteLength(line) + 1;
    if (bytes + cost > maxBytes) {
      truncated = true;
      continue;
    }
    bytes += cost;
    kept.push(line);
  }
  return {
    root: root.name,
    path: file.rel,
    content: kept.join("\n"),
    startLine: kept.length ? first : 0,
    endLine: kept.length ? first + kept.length - 1 : 0,
    totalLines: lineNo,
    size: info.size,
    truncated,
  };
}
