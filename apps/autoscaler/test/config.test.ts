import { ConfigError } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import { parseAutoscalerConfig } from "../src/config.js";

describe("autoscaler config", () => {
  it("defaults: local backend, four pools at 1:4, cap 100", () => {
    const c = parseAutoscalerConfig({});
    expect(c.raw.TOOLMESH_AUTOSCALER_BACKEND).toBe("local");
    expect(c.pools).toEqual(["codebase", "web", "bash", "agent"]);
    expect(c.bounds.get("web")).toEqual({ min: 1, max: 4 });
    expect(c.maxInstances).toBe(100);
  });
  it("per-pool bounds, and --max-instances over the variable", () => {
    const c = parseAutoscalerConfig({ TOOLMESH_AUTOSCALER_REPLICAS: "codebase=2:8,web=1:3", TOOLMESH_MAX_INSTANCES: "50" }, ["--max-instances", "12"]);
    expect(c.bounds.get("codebase")).toEqual({ min: 2, max: 8 });
    expect(c.maxInstances).toBe(12);
    expect(parseAutoscalerConfig({}, ["--max-instances=7"]).maxInstances).toBe(7);
  });
  it("names every bad setting in one error", () => {
    const run = (): unknown => parseAutoscalerConfig({ TOOLMESH_AUTOSCALER_POOLS: "codebase,nope", TOOLMESH_AUTOSCALER_REPLICAS: "codebase=5:2,web=1:2", TOOLMESH_MAX_INSTANCES: "1" });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/unknown pool "nope"/);
    expect(run).toThrow(/codebase min 5 > max 2/);
    expect(run).toThrow(/"web" is not in TOOLMESH_AUTOSCALER_POOLS/);
  });
  it("refuses minimums that do not fit under the cap", () => {
    expect(() => parseAutoscalerConfig({ TOOLMESH_MAX_INSTANCES: "3" })).toThrow(/below the pools' minimum replicas summed \(4\)/);
  });
});
