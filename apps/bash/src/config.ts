import { commaList } from "@toolmesh/core";
import { z } from "zod";

/** The bash pool's environment variables (documented in README.md). */
export const bashConfigSchema = z.object({
  /** Host directory holding the workflows' workspaces (mount points, one per workflow); created when missing. */
  TOOLMESH_BASH_WORKSPACE: z.string().default(".toolmesh/bash-workspace"),
  /** "workflow": one workspace per workflow, kept between its calls; "call": a fresh, empty one per call. */
  TOOLMESH_BASH_WORKSPACE_SCOPE: z.enum(["workflow", "call"]).default("workflow"),
  /** Size cap of a workspace (a tmpfs), MiB. */
  TOOLMESH_BASH_WORKSPACE_MB: z.coerce.number().int().min(1).default(256),
  /** A workflow's workspace is removed after this many minutes without a call. */
  TOOLMESH_BASH_WORKSPACE_IDLE_MIN: z.coerce.number().min(0.01).default(30),
  /** Size cap of the sandbox's private /tmp (a tmpfs), MiB. */
  TOOLMESH_BASH_TMP_MB: z.coerce.number().int().min(1).default(64),
  /** "auto" (bubblewrap, or refuse to start), "bwrap", or "none" (no sandbox: an explicit, logged choice). */
  TOOLMESH_BASH_SANDBOX: z.enum(["auto", "bwrap", "none"]).default("auto"),
  /** Whether calls may ask for `network: true`. */
  TOOLMESH_BASH_ALLOW_NETWORK: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Service environment variables passed into commands (values from this process). */
  TOOLMESH_BASH_ENV_ALLOW: commaList.default("LANG,LC_ALL,TZ"),
  TOOLMESH_BASH_MEMORY_MB: z.coerce.number().int().min(16).default(1024),
  TOOLMESH_BASH_MAX_PROCESSES: z.coerce.number().int().min(1).default(128),
  /** Host directories hidden (an empty tmpfs) inside the sandbox, comma-separated. */
  TOOLMESH_BASH_HIDE_PATHS: commaList.default(""),
  /** The unprivileged uid (and gid) commands run as when the service runs as root. */
  TOOLMESH_BASH_UID: z.coerce.number().int().min(1).default(65534),
});
export type BashConfig = z.infer<typeof bashConfigSchema>;
