// The web console in a real browser (Debian's Chromium driven by
// playwright-core) against a real stack: a fan-out drawn live, a task's
// output, cancel, the pools page next to `toolmesh top --once`, sign-in.
import { TaskState, WorkflowState } from "@toolmesh/proto";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactsDir, chromiumTool, launchChromium } from "../support/browser.js";
import { runCli } from "../support/cli-process.js";
import { startConsoleStack, type ConsoleStack } from "../support/console.js";
import { heldCalls } from "../support/held-calls.js";
import { task, workflow } from "../support/spec.js";

const held = heldCalls();
let cs: ConsoleStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const skip = chromiumTool.skip;

beforeAll(async () => {
  if (skip) return;
  chromiumTool.require();
  cs = await startConsoleStack({ testHandlers: held.handlers });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  page = await context.newPage();
  // What a user does with the link `toolmesh up` prints.
  await page.goto(cs.loginUrl());
  await page.waitForURL(/\/console\/$/);
});
afterAll(async () => {
  await browser?.close();
  await cs?.stop();
});

const node = (taskId: string) => page.locator(`g.node[data-task="${taskId}"]`);

describe.skipIf(skip)("the console in Chromium", () => {
  it("lists a running fan-out of 1,000 items, draws it collapsed, and turns it to succeeded as it runs", async () => {
    const items = Array.from({ length: 1000 }, (_, i) => `item-${i}`);
    const id = await cs.stack.client.submit(
      workflow("console-fan-out", [
        task("gate", "test.sleep", { ms: 1, value: "hold:gate" }),
        task("list", "test.echo", { value: items }, { dependsOn: ["gate"] }),
        task("each", "test.echo", { value: "{{item}}" }, { dependsOn: ["list"], forEach: { from: "list", items: "value", maxItems: 0 } }),
      ]),
    );
    const row = page.locator(`a.wf-row[data-workflow="${id}"]`);
    await expect.poll(() => row.getAttribute("data-state"), { timeout: 20_000 }).toBe("running");
    await row.click();
    await expect.poll(() => node("gate").getAttribute("data-state"), { timeout: 20_000 }).toBe("running");
    expect(await node("each").getAttribute("data-state")).toBe("pending");

    held.release("hold:gate");
    await expect.poll(() => node("each").getAttribute("data-state"), { timeout: 30_000 }).toBe("succeeded");
    await expect.poll(() => node("each").locator("text.sub").textContent(), { timeout: 10_000 }).toMatch(/^1000\/1000 ✓/);
    await expect.poll(() => page.getByTestId("workflow-state").textContent(), { timeout: 10_000 }).toBe("succeeded");
    // Collapsed: one node for the fan-out; virtualised: a few dozen rows in the DOM for 1,003 tasks.
    expect(await page.locator("g.node").count()).toBe(3);
    expect(await page.getByTestId("task-list").getAttribute("data-count")).toBe("1003");
    expect(await page.locator(".task-row").count()).toBeLessThan(60);
    await page.screenshot({ path: join(artifactsDir, "console-workflow.png") });

    await node("each").click();
    await expect.poll(() => node("each[0]").getAttribute("data-state"), { timeout: 10_000 }).toBe("succeeded");
    expect(await page.getByTestId("task-list").getAttribute("data-count")).toBe("1000");
    // Drawn: the first items and one node for the rest.
    expect(await page.locator("g.node").count()).toBe(3 + 24);
    expect(await page.locator("g.more").textContent()).toMatch(/\+976 more/);
    expect((await cs.stack.client.get(id)).state).toBe(WorkflowState.WORKFLOW_STATE_SUCCEEDED);
  });

  it("opens a task and reads its output, a large one paged from the object store", async () => {
    const wf = await cs.stack.client.run(
      workflow("console-output", [
        task("small", "test.echo", { value: { answer: "forty-two" } }),
        task("big", "test.echo", { value: "large-output", padBytes: 300_000 }),
      ]),
    );
    await page.goto(`${cs.origin}/console/#/workflows/${wf.id}`);
    await node("small").click();
    const panel = page.getByTestId("task-panel");
    await expect.poll(() => panel.getByTestId("task-output").textContent(), { timeout: 10_000 }).toContain('"answer": "forty-two"');
    expect(await panel.getByTestId("task-state").textContent()).toBe("succeeded");

    await node("big").click();
    await expect.poll(() => panel.getAttribute("data-task")).toBe("big");
    await panel.getByTestId("load-output").click();
    await expect.poll(() => panel.getByTestId("task-output").textContent(), { timeout: 10_000 }).toContain('"value": "large-output"');
    // The first page only: a button loads the next.
    expect(await panel.getByTestId("load-output").textContent()).toMatch(/load more/);
  });

  it("cancels a running workflow from the page, and toolmesh has it cancelled", async () => {
    const id = await cs.stack.client.submit(workflow("console-cancel", [task("long", "test.sleep", { ms: 1, value: "hold:cancel-me" })]));
    await page.goto(`${cs.origin}/console/#/workflows/${id}`);
    await expect.poll(() => node("long").getAttribute("data-state"), { timeout: 20_000 }).toBe("running");
    await page.getByTestId("cancel-workflow").click();
    await expect.poll(() => page.getByTestId("workflow-state").textContent(), { timeout: 20_000 }).toBe("cancelled");
    expect((await cs.stack.client.get(id)).state).toBe(WorkflowState.WORKFLOW_STATE_CANCELLED);
    await expect.poll(() => held.aborted.has("hold:cancel-me"), { timeout: 10_000 }).toBe(true);
  });

  it("draws a sub-agent's workflow as a cluster under its agent.run task", async () => {
    const plan = { tasks: [{ id: "inner", tool: "test.echo", args: { value: 1 } }] };
    const wf = await cs.stack.client.run(
      workflow("console-agent", [task("agent", "agent.run", { goal: "nest", tools: ["test.echo"], plan })]),
    );
    await page.goto(`${cs.origin}/console/#/workflows/${wf.id}`);
    const cluster = page.locator(`g.cluster[data-workflow="${wf.children[0]}"]`);
    await cluster.waitFor({ timeout: 10_000 });
    expect(await cluster.textContent()).toMatch(/^sub-agent: /);
    expect(await page.locator(`g.node[data-workflow="${wf.children[0]}"][data-task="inner"]`).getAttribute("data-state")).toBe("succeeded");
  });

  it("cancels one task from its panel, and toolmesh has it cancelled", async () => {
    const id = await cs.stack.client.submit(
      workflow("console-cancel-task", [
        task("held", "test.sleep", { ms: 1, value: "hold:cancel-task" }),
        task("free", "test.echo", { value: 1 }),
      ]),
    );
    await page.goto(`${cs.origin}/console/#/workflows/${id}`);
    await expect.poll(() => node("held").getAttribute("data-state"), { timeout: 20_000 }).toBe("running");
    await node("held").click();
    await page.getByTestId("cancel-task").click();
    await expect.poll(() => node("held").getAttribute("data-state"), { timeout: 20_000 }).toBe("cancelled");
    expect((await cs.stack.client.get(id)).tasks.find((t) => t.id === "held")!.state).toBe(TaskState.TASK_STATE_CANCELLED);
    await expect.poll(() => held.aborted.has("hold:cancel-task"), { timeout: 10_000 }).toBe(true);
  });

  it("shows the codebase pool with the numbers `toolmesh top --once` prints", async () => {
    await cs.stack.client.call({ tool: "code.glob", args: { patterns: ["libs/console/src/*.ts"] } });
    await page.goto(`${cs.origin}/console/#/pools`);
    const row = page.locator('tr[data-pool="codebase"]');
    await row.waitFor({ timeout: 20_000 });
    const top = await runCli(["top", "--once", "--refresh", "500"], { TOOLMESH_NATS_URL: cs.stack.nats.url });
    expect(top.code).toBe(0);
    // pool repl level limit busy queue calls/s p50ms p99ms err qual cpu mem
    const line = top.stdout.split("\n").find((l) => l.startsWith("codebase "))!;
    const [, replicas, level, limit, busy, queue, , , , err, quality] = line.trim().split(/\s+/);
    const cell = (col: string) => row.locator(`td[data-col="${col}"]`).textContent();
    expect(await cell("replicas")).toBe(replicas);
    expect(await cell("level")).toBe(level);
    expect(await cell("limit")).toBe(limit);
    expect(await cell("inFlight")).toBe(busy);
    expect(await cell("queue")).toBe(queue);
    expect(await cell("errorRate")).toBe(err);
    expect(await cell("quality")).toBe(quality);
    await expect.poll(() => page.locator('.chart-card[data-pool="codebase"] canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifactsDir, "console-pools.png") });
  });

  it("starts a template from the form and shows its workflow", async () => {
    await page.goto(`${cs.origin}/console/#/start`);
    await page.locator('select[name="template"]').selectOption("explore-codebase");
    await page.locator('textarea[name="params"]').fill(JSON.stringify({ path: "libs/console/src", question: "login code", maxFiles: 5 }));
    await page.locator('form[data-testid="start-form"] button[type="submit"]').click();
    await page.waitForURL(/#\/workflows\/[A-Za-z0-9_-]+$/, { timeout: 10_000 });
    const id = /#\/workflows\/([A-Za-z0-9_-]+)$/.exec(page.url())![1]!;
    await page.locator("g.node").first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("workflow").getAttribute("data-state")).toBeTruthy();
    expect((await cs.stack.client.get(id)).name).toMatch(/explore-codebase/);
    await cs.stack.client.cancel(id, "test done");
  });

  it("refuses a browser without the session (the sign-in form), and signs in with the token", async () => {
    const stranger = await browser.newContext();
    try {
      const other = await stranger.newPage();
      const refused = await other.request.get(`${cs.origin}/console/api/workflows`);
      expect(refused.status()).toBe(401);
      await other.goto(`${cs.origin}/console/`);
      await other.getByTestId("sign-in").waitFor({ timeout: 10_000 });
      await other.locator('input[type="password"]').fill(cs.token);
      await other.locator('form[data-testid="sign-in"] button').click();
      await other.getByTestId("state-filter").waitFor({ timeout: 10_000 });
    } finally {
      await stranger.close();
    }
  });
});
