import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = ["nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];

/** The nats-server binary on this machine, or undefined. */
export function findNatsServer(): string | undefined {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  for (const candidate of CANDIDATES) {
    if (candidate.includes("/")) {
      if (existsSync(candidate)) return candidate;
    } else if (spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0) {
      return candidate;
    }
  }
  return undefined;
}

export class NatsServerMissingError extends Error {
  override readonly name = "NatsServerMissingError";
}

/**
 * Finds nats-server, installing Debian's package with apt-get where that is
 * possible (root, apt-get present). Otherwise throws one line on how to get it.
 */
export function ensureNatsServer(say: (line: string) => void): string {
  const found = findNatsServer();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (!isRoot || !hasApt) {
    throw new NatsServerMissingError(
      "nats-server is not installed: run `sudo apt-get install -y nats-server` (Debian/Ubuntu), `brew install nats-server` (macOS), or set TOOLMESH_NATS_URL to a running server",
    );
  }
  say("nats-server is not installed; installing it with apt-get ...");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
  execFileSync("apt-get", ["install", "-y", "-qq", "nats-server"], {
    stdio: "ignore",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const installed = findNatsServer();
  if (!installed) throw new NatsServerMissingError("apt-get install nats-server finished but nats-server is still not on PATH");
  return installed;
}
