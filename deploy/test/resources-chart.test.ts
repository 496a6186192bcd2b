import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type K8sObject, chartDir, container, deployment, template } from "./helpers/helm.js";

// Requests and limits derived from one node budget and each service's share (values.yaml resources.*).

const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8"));

let defaults: K8sObject[];
beforeAll(async () => {
  defaults = await template();
});

describe("resources from the shares of one node budget", () => {
  const cpuMillis = (q: string): number => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
  const memMi = (q: string): number => (q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : Number(q.slice(0, -2)));
  const SHARES: Record<string, { cpu: number; memory: number }> = {
    coordinator: values.resources.shares.coordinator,
    "web-search": values.resources.shares.webSearch,
    codebase: values.resources.shares.codebase,
    bash: values.resources.shares.bash,
    agent: values.resources.shares.agent,
  };

  test("the design's shares: web 20/25, codebase 40/50, bash 30/15, coordination 10/10", () => {
    expect(SHARES["web-search"]).toEqual({ cpu: 20, memory: 25 });
    expect(SHARES.codebase).toEqual({ cpu: 40, memory: 50 });
    expect(SHARES.bash).toEqual({ cpu: 30, memory: 15 });
    expect(SHARES.coordinator!.cpu + SHARES.agent!.cpu).toBe(10);
    expect(SHARES.coordinator!.memory + SHARES.agent!.memory).toBe(10);
  });

  for (const budget of [
    { cpu: "4", memory: "8Gi" },
    { cpu: "16", memory: "64Gi" },
  ]) {
    test(`requests = budget × share, limits = requests × factor (budget ${budget.cpu} CPU, ${budget.memory})`, async () => {
      const objects =
        budget.cpu === values.resources.nodeBudget.cpu
          ? defaults
          : await template({ "resources.nodeBudget.cpu": budget.cpu, "resources.nodeBudget.memory": budget.memory });
      for (const [component, share] of Object.entries(SHARES)) {
        const r = container(deployment(objects, component)).resources;
        expect(cpuMillis(r.requests.cpu), component).toBe(Math.floor((cpuMillis(budget.cpu) * share.cpu) / 100));
        expect(memMi(r.requests.memory), component).toBe(Math.floor((memMi(budget.memory) * share.memory) / 100));
        expect(cpuMillis(r.limits.cpu), component).toBe(cpuMillis(r.requests.cpu) * values.resources.limitFactor.cpu);
        expect(memMi(r.limits.memory), component).toBe(memMi(r.requests.memory) * values.resources.limitFactor.memory);
      }
    });
  }

  test("codebase's CPU request is 40 % of the budget", () => {
    expect(container(deployment(defaults, "codebase")).resources.requests).toEqual({ cpu: "1600m", memory: "4096Mi" });
  });

  test("a service's own resources override its share", async () => {
    const objects = await template({ "bash.resources.requests.cpu": "3", "bash.resources.requests.memory": "2Gi" });
    expect(container(deployment(objects, "bash")).resources).toEqual({ requests: { cpu: "3", memory: "2Gi" } });
  });

  test("a malformed budget fails with a message naming the value", async () => {
    await expect(template({ "resources.nodeBudget.memory": "8GB" })).rejects.toThrow(/nodeBudget/);
  });
});
