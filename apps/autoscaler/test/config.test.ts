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
    const c = parseAutoscalerConfig({ TOOLMESH_AUTOSCALER_REPLICAS: "codebase=2:8,web=1:3", TOOLMESH_MAX_INSTANCES: "50" }, [
      "--max-instances",
      "12",
    ]);
    expect(c.bounds.get("codebase")).toEqual({ min: 2, max: 8 });
    expect(c.maxInstances).toBe(12);
    expect(parseAutoscalerConfig({}, ["--max-instances=7"]).maxInstances).toBe(7);
  });
  it("names every bad setting in one error", () => {
    const run = (): unknown =>
      parseAutoscalerConfig({
        TOOLMESH_AUTOSCALER_POOLS: "codebase,nope",
        TOOLMESH_AUTOSCALER_REPLICAS: "codebase=5:2,web=1:2",
        TOOLMESH_MAX_INSTANCES: "1",
      });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/unknown pool "nope"/);
    expect(run).toThrow(/codebase min 5 > max 2/);
    expect(run).toThrow(/"web" is not in TOOLMESH_AUTOSCALER_POOLS/);
  });
  it("refuses minimums that do not fit under the cap", () => {
    expect(() => parseAutoscalerConfig({ TOOLMESH_MAX_INSTANCES: "3" })).toThrow(/below the pools' minimum replicas summed \(4\)/);
  });
  it("manages every MCP server of TOOLMESH_MCP_POOLS as mcp-<name> with its replicas; REPLICAS still wins", () => {
    const mcp = JSON.stringify({
      fs: { command: "node", args: ["server.js"], min: 1, max: 3, maxLimit: 12 },
      docs: { url: "http://127.0.0.1:8080/mcp" },
    });
    const c = parseAutoscalerConfig({
      TOOLMESH_AUTOSCALER_POOLS: "codebase,mcp-fs",
      TOOLMESH_MCP_POOLS: mcp,
      TOOLMESH_AUTOSCALER_REPLICAS: "mcp-docs=0:2",
    });
    expect(c.pools).toEqual(["codebase", "mcp-fs", "mcp-docs"]);
    expect(c.bounds.get("mcp-fs")).toEqual({ min: 1, max: 3 });
    expect(c.bounds.get("mcp-docs")).toEqual({ min: 0, max: 2 });
    expect(c.mcpPools.fs?.args).toEqual(["server.js"]);
  });
  it("names an MCP pool without configuration and a bad TOOLMESH_MCP_POOLS entry", () => {
    expect(() => parseAutoscalerConfig({ TOOLMESH_AUTOSCALER_POOLS: "mcp-fs" })).toThrow(
      /"mcp-fs" has no entry "fs" in TOOLMESH_MCP_POOLS/,
    );
    expect(() => parseAutoscalerConfig({ TOOLMESH_MCP_POOLS: JSON.stringify({ code: { command: "x" } }) })).toThrow(/"code" is taken/);
    expect(() => parseAutoscalerConfig({ TOOLMESH_MCP_POOLS: JSON.stringify({ fs: {} }) })).toThrow(
      /exactly one of command \(stdio\) or url/,
    );
  });
});
