import { TaskSpec, WorkflowSpec, type Workflow } from "@toolmesh/proto";

function task(id: string, tool: string, args: Record<string, unknown>, dependsOn: string[] = []): TaskSpec {
  return TaskSpec.fromPartial({ id, tool, args, dependsOn });
}

/**
 * The workflow `toolmesh up --demo` runs over the first root: a real survey
 * of a codebase, fanned out over the codebase pool, with one dependency
 * level (the reads wait for the globs that find what to read).
 */
export function demoWorkflow(): WorkflowSpec {
  return WorkflowSpec.fromPartial({
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
      task("docs-search", "web.search", { query: "JetStream work queue per pool", maxResults: 5 }),
    ],
  });
}

interface Match {
  path: string;
  line: number;
  text: string;
}

/** What the demo found, in a few lines a person reads: sizes, languages, TODOs. */
export function demoDigest(wf: Workflow): string {
  const output = (id: string): Record<string, unknown> => wf.tasks.find((t) => t.id === id)?.output ?? {};
  const lines: string[] = ["", "what the demo found:"];
  for (const id of ["analyze-libs", "analyze-apps"]) {
    const { totalFiles, totalLines, languages } = output(id) as { totalFiles?: number; totalLines?: number; languages?: Record<string, { files: number }> };
    if (totalFiles !== undefined) {
      lines.push(`  ${id.replace("analyze-", "")}/: ${totalFiles} files, ${totalLines} lines (${Object.keys(languages ?? {}).join(", ")})`);
    }
  }
  const exports = (output("exports").matches as Match[] | undefined) ?? [];
  lines.push(`  ${exports.length} top-level exports in ${new Set(exports.map((m) => m.path)).size} TypeScript files`);
  const todos = (output("todos").matches as Match[] | undefined) ?? [];
  lines.push(`  ${todos.length} TODO/FIXME/XXX lines${todos.length ? "; the first ones:" : ""}`);
  for (const m of todos.slice(0, 5)) lines.push(`    ${m.path}:${m.line}  ${m.text.trim().slice(0, 90)}`);
  const hits = (output("docs-search").results as Array<{ title: string; url: string }> | undefined) ?? [];
  if (hits[0]) lines.push(`  top documentation hit for "JetStream work queue per pool": ${hits[0].title} (${hits[0].url})`);
  return lines.join("\n");
}
