import { bashConfigSchema, createBashTools } from "@toolmesh/bash";
import { createCodebaseTools, parseRoots } from "@toolmesh/codebase";
import { loadConfig } from "@toolmesh/core";
import { EventType, WorkflowState } from "@toolmesh/proto";
import { systemTool } from "@toolmesh/testing";
import { createWebTools, parseWebConfig, type WebTools } from "@toolmesh/web-search";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { task, workflow } from "../support/spec.js";
import { repoRoot, startStack, type TestStack } from "../support/stack.js";

const bwrap = systemTool("bwrap", { package: "bubblewrap", purpose: "the bash pool's sandbox" });
let stack: TestStack;
let workspace: string;
let site: Server;
let sitePort = 0;
let web: WebTools;
beforeAll(async () => {
  stack = await startStack();
  workspace = await mkdtemp(join(tmpdir(), "toolmesh-pools-"));
  await mkdir(join(workspace, "docs"));
  await writeFile(
    join(workspace, "docs", "nats.md"),
    "# JetStream work queues\nEach pool has a work-queue stream and a durable pull consumer.\n",
  );
  await writeFile(join(workspace, "docs", "grpc.md"), "# The gRPC API\nClients submit workflows to the coordinator.\n");
  site = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(
      "<html><head><title>Pools</title></head><body><nav>menu</nav><article><h1>Pools</h1><p>toolmesh runs tool calls in parallel over worker pools, each at the right concurrency for the machine it runs on.</p></article></body></html>",
    );
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  sitePort = (site.address() as { port: number }).port;
  web = createWebTools(
    parseWebConfig({
      TOOLMESH_WEB_PROVIDERS: "local",
      TOOLMESH_LOCAL_INDEX_DIRS: join(workspace, "docs"),
      TOOLMESH_FETCH_ALLOW_HOSTS: `127.0.0.1:${sitePort}`,
    }),
  );
  await stack.addWorker("web", { "web.search": web["web.search"], "web.fetch": web["web.fetch"] });
  const code = createCodebaseTools({ roots: parseRoots([repoRoot]) });
  await stack.addWorker("codebase", { "code.glob": code["code.glob"], "code.read": code["code.read"] });
  // The bash pool needs bubblewrap; without it the tests that use the pool skip (or fail in CI).
  if (bwrap.available) {
    const bash = await createBashTools(loadConfig("bash", bashConfigSchema, { TOOLMESH_BASH_WORKSPACE: workspace }));
    await stack.addWorker("bash", { "bash.exec": bash["bash.exec"] });
  }
});
afterAll(async () => {
  await stack?.stop();
  await web?.close();
  site?.close();
  await rm(workspace, { recursive: true, force: true });
});

it.skipIf(bwrap.skip)("a workflow across the web, codebase and bash pools runs end to end through the coordinator", async () => {
  bwrap.require();
  const wf = await stack.client.run(
    workflow("mixed", [
      task("search", "web.search", { query: "work queue stream" }),
      task("page", "web.fetch", { url: `http://127.0.0.1:${sitePort}/pools` }, { dependsOn: ["search"] }),
      task("protos", "code.glob", { patterns: ["proto/**/*.proto"] }),
      task("head", "code.read", { path: "proto/toolmesh/v1/coordinator.proto", endLine: 3 }, { dependsOn: ["protos"] }),
      task("shell", "bash.exec", { command: "echo $((6 * 7)); id -u" }),
    ]),
  );
  expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
  const out = Object.fromEntries(wf.tasks.map((t) => [t.id, t.output]));
  expect(out.protos?.files).toEqual([expect.objectContaining({ path: "proto/toolmesh/v1/coordinator.proto" })]);
  expect(String(out.head?.content)).toContain("toolmesh public API");
  expect(out.shell).toMatchObject({ exitCode: 0, stdout: "42\n65534\n", sandbox: "bwrap" });
  expect((out.search?.results as Array<{ url: string }>)[0]?.url).toMatch(/docs\/nats\.md$/);
  expect(String(out.page?.text)).toContain("worker pools");
  expect(String(out.page?.text)).not.toContain("menu");
  expect(new Set(wf.tasks.map((t) => t.pool))).toEqual(new Set(["web", "codebase", "bash"]));
});

it("web.fetch refuses a private address through the whole path", async () => {
  await expect(stack.client.call({ tool: "web.fetch", args: { url: "http://169.254.169.254/latest/meta-data" } })).rejects.toMatchObject({
    code: 7,
  });
});

it.skipIf(bwrap.skip)("a watcher sees a running command's output live, as TASK_OUTPUT events", async () => {
  bwrap.require();
  const id = await stack.client.submit(
    workflow("live", [task("talk", "bash.exec", { command: "sleep 0.3; echo one; sleep 0.2; echo two >&2; sleep 0.2" })]),
  );
  const outputs: string[] = [];
  for await (const event of stack.client.watch(id)) {
    if (event.type === EventType.EVENT_TYPE_TASK_OUTPUT) outputs.push(`${event.taskId}:${event.outputStream}:${event.output}`);
  }
  expect(outputs).toEqual(["talk:stdout:one\n", "talk:stderr:two\n"]);
  expect((await stack.client.get(id)).tasks[0]?.output).toMatchObject({ stdout: "one\n", stderr: "two\n" });
});
