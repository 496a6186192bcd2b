/**
 * Name order of UTF-8 bytes, which is what ripgrep's `--sort path` uses.
 * JS string order (UTF-16 units) differs only for characters above U+FFFF
 * against U+E000..U+FFFF, fixed up here.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate && y >= 0xe000) return 1;
    if (ySurrogate && x >= 0xe000) return -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Component-wise path order: a directory's contents sort right after the
 * directory's name ("a/x" < "a.txt"), the order of a depth-first walk with
 * each directory's entries sorted by name — ripgrep's `--sort path` order.
 */
export function comparePaths(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = compareNames(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** Joins root-relative POSIX paths where "" is the root. */
export function joinRel(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

export function parentRel(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}
