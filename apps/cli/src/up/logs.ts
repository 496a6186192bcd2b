import { mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";

/** How many runs' logs `up` keeps (TOOLMESH_UP_KEEP_LOGS, 5). */
export function keptRuns(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.TOOLMESH_UP_KEEP_LOGS);
  return Number.isInteger(value) && value >= 1 ? value : 5;
}

/**
 * A fresh log directory for this run, `<logsDir>/<time>-<pid>`, with
 * `latest` pointing at it. Older runs beyond `keep` are removed, and so are
 * loose files of the old layout (one file per worker instance, forever):
 * an `up` left running for weeks still makes one directory, not thousands.
 */
export function prepareRunLogDir(logsDir: string, keep: number, now = new Date()): string {
  mkdirSync(logsDir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const runDir = join(logsDir, `${stamp}-${process.pid}`);
  mkdirSync(runDir);
  const runs: { path: string; mtimeMs: number }[] = [];
  for (const entry of readdirSync(logsDir)) {
    const path = join(logsDir, entry);
    if (entry === "latest" || path === runDir) continue;
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) continue;
    if (info.isDirectory()) runs.push({ path, mtimeMs: info.mtimeMs });
    else rmSync(path, { force: true });
  }
  runs.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of runs.slice(keep - 1)) rmSync(old.path, { recursive: true, force: true });
  const latest = join(logsDir, "latest");
  rmSync(latest, { force: true });
  try {
    symlinkSync(runDir, latest);
  } catch {
    // a filesystem without symlinks: the directory name still says which run is newest
  }
  return runDir;
}
