import { z } from "zod";
import { defineTool } from "./spec.js";

export const bashExec = defineTool({
  name: "bash.exec",
  pool: "bash",
  shareable: false,
  destructive: true,
  description: "Runs a command in a sandbox (no network, writes only in its workspace) with time, output, memory and process limits.",
  args: z
    .object({
      /** A string for `bash -c`, or an argv array run directly. */
      command: z.union([
        z
          .string()
          .min(1)
          .max(64 * 1024),
        z
          .array(z.string().max(64 * 1024))
          .min(1)
          .max(1024),
      ]),
      stdin: z
        .string()
        .max(4 * 1024 * 1024)
        .optional(),
      /** Extra environment variables (names must match [A-Za-z_][A-Za-z0-9_]*). */
      env: z
        .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "env names are letters, digits and _"), z.string().max(64 * 1024))
        .default({}),
      /** Working directory relative to the workspace. */
      cwd: z.string().min(1).default("."),
      timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
      /** Kill when no output arrives for this long; 0 = no idle limit. */
      idleTimeoutMs: z.number().int().min(0).max(600_000).default(0),
      /** Cap of each of stdout and stderr; the rest is dropped and `truncated` set. */
      maxOutputBytes: z
        .number()
        .int()
        .min(1)
        .max(16 * 1024 * 1024)
        .default(1024 * 1024),
      /** Network access; refused unless the service allows it. */
      network: z.boolean().default(false),
    })
    .strict(),
  output: z
    .object({
      /** Null when a signal killed it. */
      exitCode: z.number().int().nullable(),
      signal: z.string().nullable(),
      stdout: z.string(),
      stderr: z.string(),
      /** Either stream passed maxOutputBytes. */
      truncated: z.boolean(),
      /** Bytes each stream produced, kept or not. */
      stdoutBytes: z.number().int().min(0),
      stderrBytes: z.number().int().min(0),
      durationMs: z.number().int().min(0),
      sandbox: z.enum(["bwrap", "none"]),
    })
    .strict(),
});
