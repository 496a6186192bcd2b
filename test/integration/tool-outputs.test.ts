/**
 * Every catalog tool's real handler, called once in a representative way,
 * returns what its spec's output schema declares (strict schemas: no field
 * missing, none left undeclared). Handlers run in-process: codebase tools
 * over a temp tree, web tools against a loopback server and the local index,
 * bash.exec in its sandbox (skipped without bubblewrap), agent.run against a
 * stand-in coordinator, synth.* over the outputs above.
 */
import { bashConfigSchema, createBashTools } from "@toolmesh/bash";
import { createCodebaseTools, parseRoots } from "@toolmesh/codebase";
import { createAgentRunHandler, parseAgentConfig } from "@toolmesh/agent";
import { createLogger, loadConfig } from "@toolmesh/core";
import { TaskState, WorkflowState, type Workflow, type WorkflowEvent } from "@toolmesh/proto";
import { runSynthTool, type SynthInput } from "@toolmesh/synthesis";
import { systemTool } from "@toolmesh/testing";
import { testHandlers } from "@toolmesh/testpool";
import { TOOLS, getTool, parseToolArgs, type ToolCallContext, type ToolHandler } from "@toolmesh/tools";
import { createWebTools, type WebTools } from "@toolmesh/web-search";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bwrap = systemTool("bwrap", { package: "bubblewrap", purpose: "the bash pool's sandbox" });

function context(attempt = 1): ToolCallContext {
  return {
    workflowId: "wf-outputs",
    taskId: "t",
    attempt,
    signal: new AbortController().signal,
    progress: () => undefined,
    chunk: () => undefined,
    quality: () => undefined,
    log: createLogger("tool-outputs", "silent"),
  };
}

/** Outputs by tool, every call's; the synth tools read them back. */
const outputs = new Map<string, Record<string, unknown>[]>();

/** Calls `handler` for `tool` with parsed args and checks the output against the tool's declared schema. */
async function check(tool: string, handler: ToolHandler, args: Record<string, unknown>, ctx = context()): Promise<Record<string, unknown>> {
  const output = await handler(parseToolArgs(tool, args), ctx);
  expectDeclared(tool, output);
  outputs.set(tool, [...(outputs.get(tool) ?? []), output]);
  return output;
}

function expectDeclared(tool: string, output: unknown): void {
  const schema = getTool(tool)?.output;
  expect(schema, `${tool} declares an output schema`).toBeDefined();
  const parsed = schema!.safeParse(output);
  expect(parsed.success ? [] : parsed.error.issues, `${tool} output matches its schema`).toEqual([]);
}

let dir: string;
let site: Server;
let sitePort = 0;
let web: WebTools;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "toolmesh-outputs-"));
  await mkdir(join(dir, "src"));
  await writeFile(
    join(dir, "src", "errors.ts"),
    "// TODO: map codes\nexport class NotFound extends Error {}\nexport function code(): string {\n  return 'NOT_FOUND';\n}\n",
  );
  await writeFile(join(dir, "src", "main.py"), "def run():\n    pass\n");
  await writeFile(join(dir, "README.md"), "# Outputs\nEvery tool error carries a code. TODO: document them.\n");
  await writeFile(join(dir, "blob.bin"), Buffer.from([0, 1, 2, 3]));
  await symlink("README.md", join(dir, "LINK.md"));
  site = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      "<html><head><title>Codes</title></head><body><article><h1>Codes</h1><p>Every toolmesh tool error carries a gRPC code name such as NOT_FOUND, which clients map to their own errors.</p></article></body></html>",
    );
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  sitePort = (site.address() as { port: number }).port;
  web = createWebTools({ providers: ["local"], localIndexDirs: [dir], fetchAllowHosts: [`127.0.0.1:${sitePort}`], fetchCacheTtlMs: 0 });
});
afterAll(async () => {
  await web?.close();
  site?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("each tool's handler output matches its declared output schema", () => {
  it("code.*: glob, grep (both engines, with context), read (a range, a symlink, a cut line), analyze", async () => {
    const code = createCodebaseTools({ roots: parseRoots([`repo=${dir}`]) });
    await check("code.glob", code["code.glob"], { patterns: ["**/*"] });
    await check("code.grep", code["code.grep"], { pattern: "TODO", engine: "builtin", contextLines: 1 });
    await check("code.grep", code["code.grep"], { pattern: "NOT_FOUND" });
    await check("code.read", code["code.read"], { path: "src/errors.ts", startLine: 2, endLine: 3 });
    const viaLink = await check("code.read", code["code.read"], { path: "LINK.md", maxBytes: 4 });
    expect(viaLink).toMatchObject({ target: "README.md", partialLine: true, truncated: true });
    const analyzed = await check("code.analyze", code["code.analyze"], {});
    expect(analyzed).toMatchObject({ skippedBinary: 1 });
  });

  it("web.*: search over the local index, fetch of a loopback page", async () => {
    const search = await check("web.search", web["web.search"], { query: "tool error code" });
    expect((search.results as unknown[]).length).toBeGreaterThan(0);
    await check("web.fetch", web["web.fetch"], { url: `http://127.0.0.1:${sitePort}/codes` });
    await check("web.fetch", web["web.fetch"], { url: `http://127.0.0.1:${sitePort}/raw`, extract: false });
  });

  it.skipIf(bwrap.skip)("bash.exec: a command with output on both streams and a non-zero exit", async () => {
    bwrap.require();
    // A directory of its own: the sandbox uid must be able to reach it (the tree's directory is private).
    const workspace = await mkdtemp(join(tmpdir(), "toolmesh-outputs-bash-"));
    const bash = await createBashTools(
      loadConfig("bash", bashConfigSchema, { TOOLMESH_BASH_WORKSPACE: workspace, TOOLMESH_BASH_WORKSPACE_SCOPE: "call" }),
    );
    try {
      await check("bash.exec", bash["bash.exec"], { command: "echo out; echo err >&2; exit 3" });
    } finally {
      await bash.close();
      await rm(workspace, { recursive: true, force: true });
    }
  });

  it("test.*: echo (with padding), sleep, fail from its succeeding attempt on", async () => {
    await check("test.echo", testHandlers["test.echo"]!, { value: { a: 1 }, padBytes: 3 });
    await check("test.sleep", testHandlers["test.sleep"]!, { ms: 1 });
    await check("test.fail", testHandlers["test.fail"]!, { succeedOnAttempt: 2 }, context(2));
  });

  it("agent.run: a plan run against a stand-in coordinator", async () => {
    const handler = createAgentRunHandler(new StandInCoordinator(), parseAgentConfig({}));
    const output = await check("agent.run", handler, {
      goal: "map the errors",
      plan: { template: "explore-codebase", params: { path: "." } },
    });
    expect(output.answer).toMatch(/Findings/);
  });

  it("synth.*: each over the outputs above, and over its own kind's output again", () => {
    const inputs: SynthInput[] = [...outputs]
      .filter(([tool]) => !tool.startsWith("synth."))
      .flatMap(([tool, list]) => list.map((output, i) => ({ source: `${tool}-${i}`, tool, output })));
    for (const tool of ["synth.merge", "synth.dedupe", "synth.rank", "synth.correlate", "synth.report"]) {
      const output = runSynthTool(tool, tool === "synth.rank" ? { query: "error code" } : {}, inputs);
      expectDeclared(tool, output);
      expectDeclared(tool, runSynthTool(tool, {}, [{ source: "again", tool, output }]));
      outputs.set(tool, [output]);
    }
    expectDeclared("synth.correlate", runSynthTool("synth.correlate", { groupBy: "term", query: "error" }, inputs));
  });

  it("covers every catalog tool", () => {
    const missing = [...TOOLS.keys()].filter((tool) => !outputs.has(tool));
    expect(missing).toEqual(bwrap.skip ? ["bash.exec"] : []);
  });
});

/** Just enough of the coordinator for agent.run's plan policy: a template run whose report says "# Findings". */
class StandInCoordinator {
  async submit(): Promise<string> {
    return "child-1";
  }
  async runTemplate(): Promise<string> {
    return "tpl-1";
  }
  async *watch(): AsyncGenerator<WorkflowEvent> {}
  async get(id: string): Promise<Workflow> {
    return {
      id,
      name: "x",
      state: WorkflowState.WORKFLOW_STATE_SUCCEEDED,
      tasks: [
        {
          id: "report",
          tool: "synth.report",
          pool: "synth",
          state: TaskState.TASK_STATE_SUCCEEDED,
          attempt: 1,
          output: { markdown: "# Findings" },
          error: undefined,
          startedAtMs: 0,
          finishedAtMs: 0,
          worker: "",
          dependsOn: [],
          sharedFrom: "",
          stage: "",
        },
      ],
      createdAtMs: 0,
      finishedAtMs: 0,
      error: "",
      priority: 0,
      parent: undefined,
      children: [],
    };
  }
  async cancel(): Promise<never> {
    return { state: WorkflowState.WORKFLOW_STATE_CANCELLED } as never;
  }
  async taskOutput(): Promise<Record<string, unknown>> {
    return {};
  }
}
