import type { TaskSpec, WorkflowSpec } from "@toolmesh/proto";

function task(id: string, tool: string, args: Record<string, unknown>, dependsOn: string[] = []): TaskSpec {
  return { id, tool, args, dependsOn, timeoutMs: 0, retry: undefined };
}

/**
 * The workflow `toolmesh up --demo` runs over the first root: a real survey
 * of a codebase, fanned out over the codebase pool, with one dependency
 * level (the reads wait for the globs that find what to read).
 */
export function demoWorkflow(): WorkflowSpec {
  return {
    name: "demo: survey this codebase",
    defaultTimeoutMs: 60_000,
    tasks: [
      task("ts-sources", "code.glob", { patterns: ["**/*.ts"], exclude: ["**/gen/**", "**/dist/**"] }),
      task("manifests", "code.glob", { patterns: ["package.json", "**/package.json"], exclude: ["**/node_modules/**"] }),
      task("protos", "code.glob", { patterns: ["**/*.proto"] }),
      task("todos", "code.grep", { pattern: "TODO|FIXME|XXX", include: ["*.ts", "*.md"], maxResults: 200 }),
      task("exports", "code.grep", { pattern: "^export (async )?(function|class|interface|const)", include: ["*.ts"], maxResults: 1000 }),
      task("nats-subjects", "code.grep", { pattern: "tm.", literal: true, include: ["*.ts"], maxResults: 200 }),
      task("analyze-libs", "code.analyze", { path: "libs", include: ["*.ts"] }),
      task("analyze-apps", "code.analyze", { path: "apps", include: ["*.ts"] }),
      task("readme", "code.read", { path: "README.md", startLine: 1, endLine: 30 }, ["manifests"]),
      task("api", "code.read", { path: "proto/toolmesh/v1/coordinator.proto", startLine: 1, endLine: 40 }, ["protos"]),
    ],
  };
}
