import { ErrorCode, ToolError } from "@toolmesh/core";
import { checkAborted, fsToolError } from "./errors.js";
import { pickRoot, resolveInRoot } from "./roots.js";
import { forEachLine, openRegularFile, utf8Prefix } from "./text.js";
import type { CodebaseRoot, ReadArgs, ReadOutput } from "./types.js";

/**
 * code.read: a file, or lines startLine..endLine of it, streamed so memory
 * stays near maxBytes whatever the file's size. The content is the exact
 * text of whole lines (terminators kept) up to maxBytes of UTF-8, with
 * `truncated` when the cap cut the range short; a first line longer than
 * the cap alone is returned cut, with `partialLine`. totalLines needs the
 * whole file, so it is read to the end (which is also where a NUL byte
 * would make it binary, as for grep).
 */
export async function readTool(roots: readonly CodebaseRoot[], args: ReadArgs, hardCap: number, signal: AbortSignal): Promise<ReadOutput> {
  checkAborted(signal);
  const root = pickRoot(roots, args.root);
  const target = await resolveInRoot(root, args.path);
  if (target.kind === "dir") throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is a directory; list it with code.glob`);
  if (target.kind !== "file") throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is not a regular file`);
  const maxBytes = Math.min(args.maxBytes, hardCap);
  const first = args.startLine ?? 1;
  const last = args.endLine ?? Number.POSITIVE_INFINITY;

  const handle = await openRegularFile(target.abs).catch((err: unknown) => {
    throw fsToolError(err, `"${args.path}"`);
  });
  const parts: string[] = [];
  let bytes = 0;
  let lineNo = 0;
  let endLine = first - 1;
  let truncated = false;
  let partialLine = false;
  let binary = false;
  try {
    await forEachLine(
      handle,
      (line, terminated) => {
        lineNo += 1;
        if (line.includes("\0")) {
          binary = true;
          return false;
        }
        if (lineNo < first || lineNo > last || truncated) return true;
        const piece = terminated ? `${line}\n` : line;
        const cost = Buffer.byteLength(piece);
        if (bytes + cost <= maxBytes) {
          parts.push(piece);
          bytes += cost;
          endLine = lineNo;
        } else {
          truncated = true;
          if (parts.length === 0) {
            parts.push(utf8Prefix(piece, maxBytes));
            partialLine = true;
            endLine = lineNo;
          }
        }
        return true;
      },
      signal,
    );
  } finally {
    await handle.close();
  }
  if (binary)
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, `"${args.path}" is a binary file (it contains NUL bytes); code.read returns text only`);
  if (args.startLine !== undefined && first > Math.max(lineNo, 1)) {
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, `startLine ${first} is past the end of "${args.path}", which has ${lineNo} lines`);
  }
  return {
    root: root.name,
    path: target.requested,
    ...(target.rel !== target.requested ? { target: target.rel } : {}),
    content: parts.join(""),
    startLine: first,
    endLine,
    totalLines: lineNo,
    size: target.size,
    truncated,
    ...(partialLine ? { partialLine } : {}),
  };
}
