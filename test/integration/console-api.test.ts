// The web console's JSON API and server-sent events, without a browser: a
// real stack (nats-server, coordinator, workers) and the gateway serving the
// console, called over HTTP as the page calls it.
import { TaskState, WorkflowState } from "@toolmesh/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, startConsoleStack, type ConsoleStack } from "../support/console.js";
import { task, workflow } from "../support/spec.js";

let cs: ConsoleStack;
beforeAll(async () => {
  cs = await startConsoleStack();
});
afterAll(async () => cs?.stop());

const fanOut = (name: string, items: number, extra: Record<string, unknown> = {}) =>
  workflow(name, [
    task("list", "test.echo", { value: Array.from({ length: items }, (_, i) => `item-${i}`) }),
    task(
      "each",
      "test.echo",
      { value: "{{item}}", ...extra },
      { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 0 } },
    ),
  ]);

describe("the console's door", () => {
  it("refuses an API call without the token, with a wrong one, and from another site's Origin", async () => {
    const none = await fetch(`${cs.origin}/console/api/workflows`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await cs.api("/console/api/workflows", { headers: { authorization: "Bearer not-the-token-at-all" } })).status).toBe(401);
    expect((await fetch(`${cs.origin}/console/api/pools/stream`)).status).toBe(401);
    const foreign = await cs.api("/console/api/workflows", { headers: { origin: "http://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toMatch(/Origin http:\/\/evil.example is not allowed/);
    // The console's own page on a loopback host may call it.
    expect((await cs.api("/console/api/workflows", { headers: { origin: cs.origin } })).status).toBe(200);
  });

  it("turns a one-time login code into a session cookie that the API accepts; the code works once", async () => {
    const url = cs.loginUrl();
    const first = await fetch(url, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/console/");
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(";")[0]!;
    expect((await fetch(`${cs.origin}/console/api/workflows`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${cs.origin}/console/api/workflows`, { headers: { cookie: "toolmesh_console=forged" } })).status).toBe(401);
    expect((await fetch(url, { redirect: "manual" })).status).toBe(401);
    expect((await fetch(`${cs.origin}/console/login?code=1.2.3`, { redirect: "manual" })).status).toBe(401);
  });

  it("serves the page to anyone (it holds no data) and /mcp stays the MCP endpoint", async () => {
    const page = await fetch(`${cs.origin}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(await page.text()).toMatch(/<script type="module" src="app.js">/);
    expect((await fetch(`${cs.origin}/console/app.js`)).headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${cs.origin}/console/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${cs.origin}/`, { redirect: "manual" })).headers.get("location")).toBe("/console/");
    expect((await fetch(`${cs.origin}/mcp`, { method: "POST" })).status).toBe(401);
  });
});

describe("the JSON API", () => {
  it("lists workflows newest first with calls done/total and errors, filtered by state", async () => {
    const ok = await cs.stack.client.run(fanOut("console-list-ok", 5));
    const bad = await cs.stack.client.run(
      workflow("console-list-bad", [task("boom", "test.fail", { code: "INTERNAL", message: "on purpose" })]),
    );
    expect(bad.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    const all = (await (await cs.api("/console/api/workflows")).json()) as { workflows: any[] };
    const ids = all.workflows.map((w) => w.id);
    expect(ids.indexOf(bad.id)).toBeLessThan(ids.indexOf(ok.id));
    const row = all.workflows.find((w) => w.id === ok.id);
    // list + each + five items.
    expect(row).toMatchObject({ name: "console-list-ok", state: "succeeded", tasks: 7, done: 7, failed: 0 });
    expect(row.finishedAtMs).toBeGreaterThanOrEqual(row.createdAtMs);
    const failed = (await (await cs.api("/console/api/workflows?state=failed")).json()) as { workflows: any[] };
    expect(failed.workflows.map((w) => w.id)).toContain(bad.id);
    expect(failed.workflows.every((w) => w.state === "failed")).toBe(true);
    expect(failed.workflows.find((w) => w.id === bad.id)).toMatchObject({ done: 1, failed: 1 });
    expect((await cs.api("/console/api/workflows?state=asleep")).status).toBe(400);
  });

  it("gives a workflow's tasks, a task's arguments and output, and pages a large output from the object store", async () => {
    const wf = await cs.stack.client.run(
      workflow("console-big", [
        task("big", "test.echo", { value: "large", padBytes: 300_000 }),
        task("small", "test.echo", { value: { n: 1 } }),
      ]),
    );
    const view = (await (await cs.api(`/console/api/workflows/${wf.id}`)).json()) as any;
    expect(view.tasks.map((t: any) => [t.id, t.state])).toEqual([
      ["big", "succeeded"],
      ["small", "succeeded"],
    ]);
    const small = (await (await cs.api(`/console/api/workflows/${wf.id}/tasks/small`)).json()) as any;
    expect(small).toMatchObject({ tool: "test.echo", pool: "test", args: { value: { n: 1 } }, output: { value: { n: 1 } } });
    expect(small.worker).not.toBe("");
    // No tracing SDK in this process and no traced caller: nothing to name.
    expect(small.traceId).toBe("");
    const big = (await (await cs.api(`/console/api/workflows/${wf.id}/tasks/big`)).json()) as any;
    expect(big.output).toBeUndefined();
    expect(big.outputBytes).toBeGreaterThan(300_000);
    let text = "";
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined) {
      const page = (await (await cs.api(`/console/api/workflows/${wf.id}/tasks/big/output?offset=${offset}`)).json()) as any;
      text += page.text;
      offset = page.nextOffset;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    const output = JSON.parse(text);
    expect(output.value).toBe("large");
    expect(output.pad).toHaveLength(300_000);
    expect((await cs.api(`/console/api/workflows/${wf.id}/tasks/nope`)).status).toBe(404);
    expect((await cs.api(`/console/api/workflows/${"0".repeat(32)}`)).status).toBe(404);
  });

  it("streams a fan-out's events as server-sent events until the workflow ends", async () => {
    const id = await cs.stack.client.submit(fanOut("console-events", 40));
    const res = await cs.api(`/console/api/workflows/${id}/events`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const messages = await readSse(res, (m) => m.event === "end");
    expect(messages.at(-1)).toEqual({ event: "end", data: { workflowId: id } });
    const events = messages.filter((m) => m.event === "events").flatMap((m) => m.data as any[]);
    const succeeded = new Set(events.filter((e) => e.type === "task_succeeded").map((e) => e.taskId));
    expect(succeeded.size).toBe(42);
    expect(succeeded.has("each[39]")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "workflow_succeeded", workflowId: id });
    // Batched: far fewer messages than events.
    expect(messages.length).toBeLessThan(events.length);
  });

  it("nests a sub-agent's workflow under its agent.run task, in the view and in the event stream", async () => {
    const plan = { tasks: [{ id: "inner", tool: "test.echo", args: { value: "from the child" } }] };
    const id = await cs.stack.client.submit(
      workflow("console-agent", [task("agent", "agent.run", { goal: "nest", tools: ["test.echo"], plan })]),
    );
    const messages = await readSse(await cs.api(`/console/api/workflows/${id}/events`), (m) => m.event === "end");
    const events = messages.filter((m) => m.event === "events").flatMap((m) => m.data as any[]);
    const child = events.find((e) => e.workflowId !== id && e.type === "task_succeeded");
    expect(child).toMatchObject({ taskId: "inner", parentWorkflowId: id, parentTaskId: "agent" });
    const view = (await (await cs.api(`/console/api/workflows/${id}`)).json()) as any;
    expect(view.children).toHaveLength(1);
    expect(view.children[0]).toMatchObject({
      id: child.workflowId,
      parent: { workflowId: id, taskId: "agent" },
      tasks: [{ id: "inner", state: "succeeded" }],
    });
  });

  it("streams the workflow list and sends it again when it changes", async () => {
    const res = await cs.api("/console/api/workflows/stream?state=running");
    let submitted: string | undefined;
    const messages = await readSse(res, (m, all) => {
      if (all.length === 1)
        // Long enough to be seen running whatever the load; cancelled below.
        void cs.stack.client.submit(workflow("console-live", [task("nap", "test.sleep", { ms: 60_000 })])).then((id) => (submitted = id));
      return (m.data as any[]).some((w) => w.id === submitted && w.state === "running");
    });
    expect(messages.length).toBeGreaterThan(1);
    await cs.stack.client.cancel(submitted!, "test done");
  });

  it("cancels a running workflow in toolmesh itself", async () => {
    const id = await cs.stack.client.submit(workflow("console-cancel", [task("long", "test.sleep", { ms: 60_000 })]));
    await expect.poll(async () => (await cs.stack.client.get(id)).tasks[0]?.state, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    const res = await cs.api(`/console/api/workflows/${id}/cancel`, {
      method: "POST",
      body: JSON.stringify({ reason: "from the API test" }),
    });
    expect(res.status).toBe(200);
    expect((await cs.stack.client.get(id)).state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
  });

  it("cancels one running task in toolmesh itself; the workflow then fails, and an unknown task is 404", async () => {
    const id = await cs.stack.client.submit(
      workflow("console-cancel-task", [
        task("long", "test.sleep", { ms: 60_000 }),
        task("after", "test.echo", { value: 1 }, { dependsOn: ["long"] }),
      ]),
    );
    await expect.poll(async () => (await cs.stack.client.get(id)).tasks[0]?.state, { timeout: 20_000 }).toBe(TaskState.TASK_STATE_RUNNING);
    const res = await cs.api(`/console/api/workflows/${id}/tasks/long/cancel`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ workflowId: id, taskId: "long", state: "cancelled" });
    const wf = await cs.stack.client.get(id);
    expect(wf.tasks.map((t) => t.state)).toEqual([TaskState.TASK_STATE_CANCELLED, TaskState.TASK_STATE_FAILED]);
    expect(wf.state).toBe(WorkflowState.WORKFLOW_STATE_FAILED);
    expect((await cs.api(`/console/api/workflows/${id}/tasks/nope/cancel`, { method: "POST" })).status).toBe(404);
  });

  it("starts a template, and refuses an unknown template or bad parameters", async () => {
    expect((await cs.api("/console/api/templates/nope", { method: "POST", body: "{}" })).status).toBe(404);
    const bad = await cs.api("/console/api/templates/explore-web", { method: "POST", body: JSON.stringify({ params: { queries: [] } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/queries/);
    const started = await cs.api("/console/api/templates/explore-codebase", {
      method: "POST",
      body: JSON.stringify({ params: { path: "libs/console/src", question: "login code", maxFiles: 5 } }),
    });
    expect(started.status).toBe(201);
    const { workflowId } = (await started.json()) as { workflowId: string };
    expect((await cs.stack.client.get(workflowId)).name).toMatch(/explore-codebase/);
    await cs.stack.client.cancel(workflowId, "test done");
  });

  it("gives the pools as toolmesh top sums them, with a history for the charts", async () => {
    await cs.stack.client.call({ tool: "code.glob", args: { patterns: ["libs/console/src/*.ts"] } });
    await expect
      .poll(async () => ((await (await cs.api("/console/api/pools")).json()) as any).rows.map((r: any) => r.pool), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(["codebase", "test"]));
    const view = (await (await cs.api("/console/api/pools")).json()) as any;
    expect(view.available).toBe(true);
    expect(view.rows.find((r: any) => r.pool === "codebase")).toMatchObject({ replicas: 1, limit: 32, queue: 0, level: "fixed" });
    expect(view.history.codebase.length).toBeGreaterThan(0);
  });
});
