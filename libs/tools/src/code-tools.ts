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

/** One matching line of code.grep. `column` is the 1-based code point index of the first match. */
export const grepMatch = z
  .object({
    /** Relative to the root, POSIX. */
    path: z.string().min(1),
    line: z.number().int().min(1),
    column: z.number().int().min(1),
    /** The line, cut at 2000 code points. */
    text: z.string(),
    /** contextLines lines before and after, when asked for. */
    before: z.array(z.string()).optional(),
    after: z.array(z.string()).optional(),
  })
  .strict();

/** A file code.glob lists. */
export const globFile = z.object({ path: z.string().min(1), size: z.number().int().min(0) }).strict();

/** A top-level declaration code.analyze found. */
export const codeSymbol = z
  .object({
    name: z.string(),
    kind: z.string(),
    /** 1-based line of the symbol's name (of the declaration when it has none). */
    line: z.number().int().min(1),
    exported: z.boolean(),
  })
  .strict();

/** A file code.analyze reports on. */
export const analyzedFile = z
  .object({
    path: z.string().min(1),
    language: z.string(),
    lines: z.number().int().min(0),
    bytes: z.number().int().min(0),
    symbols: z.array(codeSymbol),
    /** Set for a file too large to parse: counted, not parsed. */
    symbolsSkipped: z.literal(true).optional(),
  })
  .strict();

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
  output: z
    .object({
      root: z.string(),
      /** In path order. */
      files: z.array(globFile),
      count: z.number().int().min(0),
      /** maxResults was reached. */
      truncated: z.boolean(),
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
  output: z
    .object({
      root: z.string(),
      engine: z.enum(["ripgrep", "builtin"]),
      /** By path, then line. */
      matches: z.array(grepMatch),
      count: z.number().int().min(0),
      truncated: z.boolean(),
      /** Text files searched; the built-in engine only. */
      filesSearched: z.number().int().min(0).optional(),
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
      maxBytes: z
        .number()
        .int()
        .min(1)
        .max(16 * 1024 * 1024)
        .default(1024 * 1024),
    })
    .strict()
    .refine((a) => a.startLine === undefined || a.endLine === undefined || a.endLine >= a.startLine, {
      message: "endLine must be >= startLine",
      path: ["endLine"],
    }),
  output: z
    .object({
      root: z.string(),
      /** As asked for. */
      path: z.string(),
      /** Where the path really is, when it names a symlink inside the root. */
      target: z.string().optional(),
      content: z.string(),
      startLine: z.number().int().min(1),
      /** The last line (partly) returned; below startLine for an empty file. */
      endLine: z.number().int().min(0),
      totalLines: z.number().int().min(0),
      size: z.number().int().min(0),
      /** maxBytes was reached. */
      truncated: z.boolean(),
      /** The last line returned was cut at maxBytes. */
      partialLine: z.literal(true).optional(),
    })
    .strict(),
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
  output: z
    .object({
      root: z.string(),
      files: z.array(analyzedFile),
      /** Per language: files and lines. */
      languages: z.record(z.string(), z.object({ files: z.number().int().min(0), lines: z.number().int().min(0) }).strict()),
      totalFiles: z.number().int().min(0),
      totalLines: z.number().int().min(0),
      /** maxFiles was reached. */
      truncated: z.boolean(),
      /** Files left out for holding a NUL byte. */
      skippedBinary: z.number().int().min(0),
    })
    .strict(),
});
