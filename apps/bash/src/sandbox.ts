import { spawnSync } from "node:child_process";
import { lstatSync, readlinkSync } from "node:fs";

export type SandboxKind = "bwrap" | "none";

/**
 * What is mounted at /work: a fresh tmpfs of `sizeMb` (scope=call; gone with
 * the call), or a host directory (scope=workflow: the workflow's capped tmpfs,
 * seen through the mount namespace of `enterPid`, see workspaces.ts).
 */
export type WorkspaceMount = { kind: "tmpfs"; sizeMb: number } | { kind: "bind"; path: string; enterPid?: number | undefined };

export interface SandboxOptions {
  kind: SandboxKind;
  workspace: WorkspaceMount;
  /** Working directory inside the workspace, relative ("." or "sub/dir"). */
  cwd: string;
  network: boolean;
  uid: number;
  /** Paths replaced by an empty tmpfs inside the sandbox. */
  hidePaths: readonly string[];
  memoryMb: number;
  maxProcesses: number;
  tmpMb: number;
  env: Record<string, string>;
}

/** The bubblewrap binary if it runs here, else undefined. */
export function detectBwrap(candidate = "bwrap"): string | undefined {
  return spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0 ? candidate : undefined;
}

/** Top-level system trees a shell needs; a usr-merged one (a symlink such as /bin -> usr/bin) stays a symlink. */
const SYSTEM_TREES = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/**
 * The part of /etc a shell and its tools need, read-only: users and groups
 * (so `id` and `ls -l` name 65534), name-service and host files, the dynamic
 * linker's cache, TLS certificates, the time zone, Debian's alternatives
 * symlinks and bash's start-up files. No resolv.conf (no network by
 * default), nothing secret (shadow, gshadow, ssh keys, service configs).
 */
export const ETC_FILES = [
  "passwd",
  "group",
  "nsswitch.conf",
  "hosts",
  "host.conf",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "localtime",
  "timezone",
  "alternatives",
  "bash.bashrc",
  "profile",
  "inputrc",
  "locale.alias",
  "mime.types",
  "magic",
] as const;

/** bwrap arguments for the system trees and /etc files present on this host (read once at start-up). */
export function systemMounts(): string[] {
  const args: string[] = [];
  for (const tree of SYSTEM_TREES) {
    try {
      const stat = lstatSync(tree);
      if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(tree), tree);
      else if (stat.isDirectory()) args.push("--ro-bind", tree, tree);
    } catch {
      // not on this host
    }
  }
  for (const name of ETC_FILES) args.push("--ro-bind-try", `/etc/${name}`, `/etc/${name}`);
  return args;
}

let cachedMounts: string[] | undefined;

/**
 * The argv that runs `command` under the sandbox. bubblewrap: every
 * namespace unshared (so no network unless allowed) and nested user
 * namespaces disabled, only the system trees and a chosen part of /etc
 * mounted (read-only; no /run, /var, /home, /root or host /tmp), all
 * capabilities dropped, a size-capped private /tmp and the workspace as the
 * only writable mounts; it dies with us. bwrap itself runs as the
 * unprivileged uid (see execSandboxed and workspaces.ts): started as root
 * with `--uid`, the command would still own every root-owned file. A
 * sentinel tells bwrap's own failure from the
 * command's exit code. Inside, bash sets the address-space and process
 * limits, then writes a byte to fd 3 (a pipe to the service) and closes it:
 * a run without that byte never reached the command, so its exit code and
 * stderr are bwrap's (or nsenter's), not the command's.
 */
export function sandboxArgv(bwrap: string | undefined, options: SandboxOptions, command: string[]): { file: string; args: string[] } {
  // Once the limits are set, one byte on fd 3 says the sandbox is up and the command is starting (see execSandboxed).
  const limits = [
    "/bin/bash",
    "-c",
    `ulimit -v ${options.memoryMb * 1024} && ulimit -u ${options.maxProcesses} && printf . >&3 && exec 3>&- && exec "$@"`,
    "toolmesh-limits",
    ...command,
  ];
  if (options.kind === "none") return { file: limits[0]!, args: limits.slice(1) };
  if (!bwrap) throw new Error("bubblewrap is not installed");
  const ws = options.workspace;
  const args = [
    ...(cachedMounts ??= systemMounts()),
    ...(options.network ? ["--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"] : []),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--size",
    String(options.tmpMb * 1024 * 1024),
    "--tmpfs",
    "/tmp",
    ...(ws.kind === "tmpfs" ? ["--size", String(ws.sizeMb * 1024 * 1024), "--tmpfs", "/work"] : ["--bind", ws.path, "/work"]),
    ...options.hidePaths.flatMap((path) => ["--tmpfs", path]),
    // bwrap's own root is an uncapped tmpfs the sandbox uid could fill (/etc is a directory in it): read-only once set up.
    "--remount-ro",
    "/",
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    ...(options.network ? ["--share-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--chdir",
    `/work/${options.cwd}`,
    "--clearenv",
    ...Object.entries({ HOME: "/work", ...options.env }).flatMap(([name, value]) => ["--setenv", name, value]),
    "--",
    ...limits,
  ];
  if (ws.kind === "bind" && ws.enterPid !== undefined) {
    // Root enters the mount namespace that holds the workflow's tmpfs and drops to the sandbox uid before bwrap.
    const id = String(options.uid);
    return { file: "nsenter", args: ["-t", String(ws.enterPid), "-m", "-S", id, "-G", id, "--", bwrap, ...args] };
  }
  return { file: bwrap, args };
}
