import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { TextDecoder } from "node:util";
import { checkAborted } from "./errors.js";

/**
 * Opens a file for reading only if it is a regular file at that very path:
 * O_NOFOLLOW refuses a symlink swapped in after the walk checked the entry,
 * O_NONBLOCK keeps a FIFO from blocking the open, fstat refuses anything
 * that is not a regular file.
 */
export async function openRegularFile(abs: string): Promise<FileHandle> {
  const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw Object.assign(new Error(`${abs} is not a regular file`), { code: "ENOTREG" });
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * The text encoding ripgrep would use: UTF-16 when the file starts with its
 * BOM, else UTF-8. TextDecoder drops the BOM, as ripgrep does.
 */
function encodingOf(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return "utf-8";
}

export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder(encodingOf(bytes)).decode(bytes);
}

/** Called per line, without its "\n" (a "\r" before it stays); return false to stop reading. */
export type LineSink = (line: string, terminated: boolean) => boolean | void;

const CHUNK = 64 * 1024;

/**
 * Streams the lines of an open file in constant memory (apart from one
 * line), decoding as ripgrep does. Lines split on "\n" only, like ripgrep.
 */
export async function forEachLine(handle: FileHandle, sink: LineSink, signal?: AbortSignal): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let decoder: TextDecoder | undefined;
  // Pieces of a line not yet ended; joined once, so a huge line costs O(n), not O(n^2).
  let pending: string[] = [];
  for (;;) {
    if (signal) checkAborted(signal);
    const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
    if (bytesRead === 0) break;
    decoder ??= new TextDecoder(encodingOf(buf.subarray(0, bytesRead)));
    const piece = decoder.decode(buf.subarray(0, bytesRead), { stream: true });
    let nl = piece.indexOf("\n");
    if (nl < 0) {
      pending.push(piece);
      continue;
    }
    pending.push(piece.slice(0, nl));
    if (sink(pending.join(""), true) === false) return;
    pending = [];
    let start = nl + 1;
    while ((nl = piece.indexOf("\n", start)) >= 0) {
      if (sink(piece.slice(start, nl), true) === false) return;
      start = nl + 1;
    }
    if (start < piece.length) pending.push(piece.slice(start));
  }
  const rest = pending.join("") + (decoder?.decode() ?? "");
  if (rest.length > 0) sink(rest, false);
}

/** Longest line text returned by grep, in code points; the rest of a minified line is cut. */
export const MAX_LINE_CHARS = 2000;

/** Length in Unicode code points (a surrogate pair counts once). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n -= 1;
        i += 1;
      }
    }
  }
  return n;
}

/** A line as grep returns it: no trailing "\r" and at most MAX_LINE_CHARS code points. */
export function displayLine(line: string): string {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text.length <= MAX_LINE_CHARS) return text;
  let end = 0;
  for (let chars = 0; chars < MAX_LINE_CHARS && end < text.length; chars++) {
    const c = text.charCodeAt(end);
    end += c >= 0xd800 && c <= 0xdbff && end + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, end);
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `maxBytes`, cut between characters. */
export function utf8Prefix(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  const cut = new TextDecoder().decode(Buffer.from(s).subarray(0, maxBytes));
  // A character split by the cut decodes to U+FFFD; drop it so the prefix is exact.
  return cut.endsWith("\uFFFD") && !s.startsWith(cut) ? cut.slice(0, -1) : cut;
}
