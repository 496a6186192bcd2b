/**
 * Inputs shaped exactly like the real tools' outputs. The code.* outputs over
 * TREE are in code-outputs.ts; web, bash and agent outputs follow their
 * handlers' return statements (apps/web-search/src/tools/{search,fetch}.ts,
 * apps/bash/src/exec.ts).
 */
import type { SynthInput } from "@toolmesh/synthesis";

/** The tree the code.* outputs in code-outputs.ts were read from. */
export const TREE: Record<string, string> = {
  "README.md": "# demo\nSee libs/core/src/errors.ts for the error codes.\n",
  "libs/core/src/errors.ts":
    'export class ToolError extends Error {}\n// TODO: map every code to a gRPC status\nexport const ErrorCode = { NOT_FOUND: "NOT_FOUND" };\n',
  "libs/core/src/index.ts": 'export { ErrorCode, ToolError } from "./errors.js";\n',
  "apps/api/src/main.ts":
    'import { ToolError } from "@toolmesh/core";\nimport { serve } from "./server.js";\n// TODO: handle shutdown\n// FIXME: retry on UNAVAILABLE\n// HACK: global state\nexport function main(): void {\n  serve();\n}\n',
  "apps/api/src/server.ts": "export function serve(): void {}\n",
  "docs/guide.md": "# Guide\nNothing to do here.\n",
};

/** web.search's output: fused results with provider, providers, rank, score. */
export const searchOutput = {
  query: "toolmesh error codes",
  results: [
    {
      url: "https://docs.example.com/errors/?utm_source=x",
      title: "Error codes",
      snippet: "Every tool error carries a gRPC code name such as NOT_FOUND or UNAVAILABLE.",
      provider: "local",
      providers: ["local", "searxng"],
      rank: 1,
      score: 0.032787,
    },
    {
      url: "https://blog.example.org/cooking",
      title: "Cooking pasta",
      snippet: "Boil water, add salt and pasta.",
      provider: "searxng",
      providers: ["searxng"],
      rank: 2,
      score: 0.016129,
    },
  ],
  providers: ["local", "searxng"],
  failures: [],
};

const errorsPageText =
  "Error handling in toolmesh. Tool errors are ToolError instances defined in libs/core/src/errors.ts and every one of them carries a gRPC code name. " +
  "The coordinator maps the code names to gRPC statuses in one place, so clients see NOT_FOUND, INVALID_ARGUMENT or UNAVAILABLE exactly as the worker reported them. " +
  "Retryable codes are retried with exponential backoff and jitter up to the configured number of attempts.";

/** web.fetch's output. */
export function pageOutput(url: string, text: string, title?: string): Record<string, unknown> {
  return {
    url,
    finalUrl: url,
    status: 200,
    contentType: "text/html; charset=utf-8",
    ...(title ? { title } : {}),
    text,
    bytes: text.length,
    truncated: false,
    redirects: [],
    fromCache: false,
  };
}

export const errorsPage = pageOutput("https://docs.example.com/errors", errorsPageText, "Error codes — toolmesh docs");
/** The same article on a mirror, with one word changed: a near-duplicate. */
export const mirrorPage = pageOutput(
  "https://mirror.example.net/toolmesh/errors",
  errorsPageText.replace("jitter", "randomised jitter"),
  "Error codes (mirror)",
);
export const unrelatedPage = pageOutput(
  "https://blog.example.org/cooking",
  "Cooking pasta well takes a large pot of boiling salted water, a timer and a taste test a minute before the packet says it is done.",
  "Cooking pasta",
);

/** bash.exec's output: ExecResult plus the sandbox kind. */
export const bashOutput = {
  exitCode: 0,
  signal: null,
  stdout: "libs/core/src/errors.ts:2:// TODO: map every code to a gRPC status\n3 files changed\n",
  stderr: "",
  truncated: false,
  stdoutBytes: 60,
  stderrBytes: 0,
  durationMs: 12,
  sandbox: "bwrap",
};

export const agentOutput = { answer: "Errors are mapped to gRPC statuses in apps/coordinator/src/grpc/status.ts.", calls: 3 };

export function input(source: string, tool: string, output: Record<string, unknown>, item?: unknown): SynthInput {
  return { source, tool, output, ...(item === undefined ? {} : { item }) };
}
