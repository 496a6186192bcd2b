import { z } from "zod";
import { defineTool } from "./spec.js";

/** Options shared by the tools that walk a tree; defaults follow ripgrep's. */
const walkOptions = {
  /** Name of a configured root; the first root when omitted. */
  root: z.string().min(1).optional(),
  /** Directory (or file) under the root to search, relative to the root. */
  path: z.string().min(1).default("."),
  /** Respect .gitignore, .ignore and .git/info/exclude. */
  gitignore: z.boolean().default(true),
  /** Include hidden files and directories (dot files). */
  hidden: z.boolean().default(false),
};

export const codeGlob = defineTool({
  name: "code.glob",
  pool: "codebase",
  shareable: true,
  description: "Lists files under a root whose relative path matches glob patterns.",
  args: z
    .object({
      ...walkOptions,
      patterns: z.array(z.string().min(1)).min(1).max(64),
      exclude: z.array(z.string().min(1)).max(64).default([]),
      maxResults: z.number().int().min(1).max(100_000).default(1000),
    })
    .strict(),
});

export const codeGrep = defineTool({
  name: "code.grep",
  pool: "codebase",
  shareable: true,
  description: "Searches file contents for a regex or literal; each match has path, line, column and text.",
  args: z
    .object({
      ...walkOptions,
      pattern: z.string().min(1).max(4096),
      literal: z.boolean().default(false),
      ignoreCase: z.boolean().default(false),
      include: z.array(z.string().min(1)).max(64).default([]),
      exclude: z.array(z.string().min(1)).max(64).default([]),
      contextLines: z.number().int().min(0).max(20).default(0),
      maxResults: z.number().int().min(1).max(100_000).default(500),
      /** Force an engine; "auto" uses ripgrep when installed. */
      engine: z.enum(["auto", "ripgrep", "builtin"]).default("auto"),
    })
    .strict(),
});

export const codeRead = defineTool({
  name: "code.read",
  pool: "codebase",
  shareable: true,
  description: "Reads a file (or a line range of it) under a root, up to a size cap.",
  args: z
    .object({
      root: z.string().min(1).optional(),
      path: z.string().min(1),
      startLine: z.number().int().min(1).optional(),
      endLine: z.number().int().min(1).optional(),
      maxBytes: z.number().int().min(1).max(16 * 1024 * 1024).default(1024 * 1024),
    })
    .strict()
    .refine((a) => a.startLine === undefined || a.endLine === undefined || a.endLine >= a.startLine, {
      message: "endLine must be >= startLine",
      path: ["endLine"],
    }),
});

export const codeAnalyze = defineTool({
  name: "code.analyze",
  pool: "codebase",
  shareable: true,
  description: "Per-file language, line count and top-level symbols (TS/JS and more) for a file or directory.",
  args: z
    .object({
      ...walkOptions,
      include: z.array(z.string().min(1)).max(64).default([]),
      exclude: z.array(z.string().min(1)).max(64).default([]),
      maxFiles: z.number().int().min(1).max(20_000).default(2000),
    })
    .strict(),
});
