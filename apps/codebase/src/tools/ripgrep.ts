import { spawnSync } from "node:child_process";

/** Whether `binary` runs as ripgrep with --json support (0.10+, 2018). */
function runsRipgrep(binary: string): boolean {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] });
  const match = probe.status === 0 ? /^ripgrep (\d+)\.(\d+)/.exec(probe.stdout) : null;
  return match !== null && (Number(match[1]) > 0 || Number(match[2]) >= 10);
}

/**
 * The ripgrep binary to use. undefined: `rg` on PATH if it runs; null: none.
 * An explicit path that does not run is a configuration error, reported now
 * rather than as a slow fallback on every call.
 */
export function resolveRipgrep(option: string | null | undefined): string | undefined {
  if (option === null) return undefined;
  if (option === undefined) return runsRipgrep("rg") ? "rg" : undefined;
  if (!runsRipgrep(option))
    throw new Error(
      `ripgrep "${option}" does not run (\`${option} --version\` failed); fix the path or leave it unset to use rg from PATH`,
    );
  return option;
}
