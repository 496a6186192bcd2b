import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { basename } from "node:path";

/**
 * The stack's gRPC bearer token: TOOLMESH_GRPC_TOKEN when the environment
 * gives one, else 32 random bytes (43 base64url characters) made for this
 * run. Without it any local process, of any user, that reaches 127.0.0.1
 * could submit workflows and run bash.exec.
 */
export function stackGrpcToken(env: NodeJS.ProcessEnv): string {
  return env.TOOLMESH_GRPC_TOKEN || randomBytes(32).toString("base64url");
}

/**
 * Makes the state directory owner-only (0700): it holds stack.json with the
 * tokens, the NATS logins and the run's logs. A `.toolmesh` left by an
 * earlier run with looser bits is tightened; any other existing directory
 * (TOOLMESH_STATE_DIR=/tmp, say) is not ours to chmod, so it gets a warning
 * instead — stack.json itself is 0600 either way.
 */
export function privateStateDir(dir: string, warn: (line: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { mode, uid } = statSync(dir);
  if ((mode & 0o077) === 0) return;
  if (basename(dir) === ".toolmesh" && uid === process.getuid?.()) {
    chmodSync(dir, 0o700);
    return;
  }
  warn(
    `the state directory ${dir} is open to other users (mode ${(mode & 0o777).toString(8)}): its logs are readable; the token file stack.json stays 0600`,
  );
}
