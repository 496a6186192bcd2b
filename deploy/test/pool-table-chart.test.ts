import { POOL_TABLE, WORKER_POOLS, type WorkerPoolRow } from "@toolmesh/core";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type K8sObject, chartDir, find, ofKind, template } from "./helpers/helm.js";

// The chart's values per pool (issue 11 item 6) must say what POOL_TABLE
// (libs/core/src/pool-table.ts) says: which pools it deploys and as which
// service, each one's starting concurrency limit and its range, its HPA
// bounds, its share of the node, and what the autoscaler is told about them.
// Helm cannot import the table, so this test is what keeps the two equal.

const valuesText = readFileSync(join(chartDir, "values.yaml"), "utf8");
const values = parse(valuesText);

/** The chart's key of a service's values block: web-search → webSearch. */
const valuesKey = (service: string): string => service.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

type ChartRow = WorkerPoolRow & { chart: NonNullable<WorkerPoolRow["chart"]> };
const deployed = WORKER_POOLS.filter((entry): entry is [(typeof entry)[0], ChartRow] => entry[1].chart !== undefined);
const deployment = (service: string): string => `tm-toolmesh-${service}`;

/** Every HPA maximum is capped by autoscaler.maxInstances (8 by default): lift the cap to see the values' own. */
const UNCAPPED = { "autoscaler.maxInstances": 1000 };
let uncapped: K8sObject[];
beforeAll(async () => {
  uncapped = await template(UNCAPPED);
});

const envValue = (object: K8sObject, name: string): unknown =>
  (object.spec.template.spec.containers[0].env ?? []).find((e: { name: string }) => e.name === name)?.value;

describe("values.yaml agrees with POOL_TABLE", () => {
  test.each(deployed)("%s: its block, poolLimit, HPA bounds and node share", (pool, row) => {
    const block = values[valuesKey(row.service)];
    expect(block, `values.${valuesKey(row.service)} for pool ${pool}`).toBeDefined();
    expect({ poolLimit: block.poolLimit, minReplicas: block.autoscaling.minReplicas, maxReplicas: block.autoscaling.maxReplicas }).toEqual({
      poolLimit: row.minLimit,
      minReplicas: row.chart.replicas.min,
      maxReplicas: row.chart.replicas.max,
    });
    expect(values.resources.shares[valuesKey(row.service)]).toEqual(row.chart.nodeShare);
  });

  test.each(deployed)("%s: the poolLimit comment names the pool's range", (_pool, row) => {
    // The documented range (`# -- TOOLMESH_POOL_LIMIT: ... (pool range 16–32)`) in the service's block.
    const block = valuesText.slice(valuesText.indexOf(`\n${valuesKey(row.service)}:\n`));
    const comment = /# -- TOOLMESH_POOL_LIMIT:[^\n]*\((?:pool )?range (\d+)–(\d+)\)/.exec(block);
    expect(comment, `a range in ${valuesKey(row.service)}'s poolLimit comment`).not.toBeNull();
    expect([Number(comment![1]), Number(comment![2])]).toEqual([row.minLimit, row.maxLimit]);
  });

  test("every values block with a poolLimit is a pool of the table", () => {
    const withLimit = Object.entries(values)
      .filter(([, block]) => block !== null && typeof block === "object" && "poolLimit" in block)
      .map(([key]) => key)
      .sort();
    expect(withLimit).toEqual(deployed.map(([, row]) => valuesKey(row.service)).sort());
  });
});

describe("the rendered chart agrees with POOL_TABLE", () => {
  test.each(deployed)("%s: Deployment <fullname>-<service>, TOOLMESH_POOL_LIMIT, its HPA, its requests", (pool, row) => {
    const object = find(uncapped, "Deployment", deployment(row.service));
    expect(object, `Deployment ${deployment(row.service)} for pool ${pool}`).toBeDefined();
    expect(envValue(object!, "TOOLMESH_POOL_LIMIT")).toBe(String(row.minLimit));
    const hpa = find(uncapped, "HorizontalPodAutoscaler", deployment(row.service))!;
    expect({ min: hpa.spec.minReplicas, max: hpa.spec.maxReplicas }).toEqual(row.chart.replicas);
    // nodeBudget (4 CPUs, 8Gi) × share / 100.
    const requests = object!.spec.template.spec.containers[0].resources.requests;
    expect(requests).toEqual({
      cpu: `${Math.floor((4000 * row.chart.nodeShare.cpu) / 100)}m`,
      memory: `${Math.floor((8192 * row.chart.nodeShare.memory) / 100)}Mi`,
    });
  });

  test("the autoscaler manages exactly the deployed pools, with the table's replica bounds", () => {
    const autoscaler = find(uncapped, "Deployment", deployment("autoscaler"))!;
    expect(String(envValue(autoscaler, "TOOLMESH_AUTOSCALER_POOLS")).split(",").sort()).toEqual(deployed.map(([pool]) => pool).sort());
    expect(String(envValue(autoscaler, "TOOLMESH_AUTOSCALER_REPLICAS")).split(",").sort()).toEqual(
      deployed.map(([pool, row]) => `${pool}=${row.chart.replicas.min}:${row.chart.replicas.max}`).sort(),
    );
  });

  test("pools the table keeps out of the chart (test) and the coordinator's own tools (synth) get no Deployment", () => {
    const names = new Set(ofKind(uncapped, "Deployment").map((d) => d.metadata.name));
    for (const [name, row] of Object.entries(POOL_TABLE)) {
      if (row.placement === "coordinator") expect(names.has(deployment(name))).toBe(false);
      else if (!("chart" in row)) expect(names.has(deployment(row.service))).toBe(false);
    }
  });

  test("every Deployment with a TOOLMESH_POOL_LIMIT is a pool of the table", () => {
    const pooled = ofKind(uncapped, "Deployment")
      .filter((d) => envValue(d, "TOOLMESH_POOL_LIMIT") !== undefined)
      .map((d) => d.metadata.name)
      .sort();
    expect(pooled).toEqual(deployed.map(([, row]) => deployment(row.service)).sort());
  });
});
