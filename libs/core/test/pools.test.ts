import { NATIVE_POOLS, POOLS, isPoolName, knownPools, mcpPoolName, runsInCoordinator, workerPool } from "@toolmesh/core";
import { describe, expect, it } from "vitest";

describe("workerPool", () => {
  it("gives back a worker pool's name, native or MCP, typed as a pool", () => {
    expect(workerPool("codebase")).toBe("codebase");
    expect(workerPool(mcpPoolName("fs"))).toBe("mcp-fs");
    expect(isPoolName(workerPool("web"))).toBe(true);
  });

  it("refuses a tool family the coordinator runs itself: it never has a work queue", () => {
    expect(runsInCoordinator("synth")).toBe(true);
    expect(() => workerPool("synth")).toThrow(/"synth" tools run in the coordinator/);
  });
});

describe("NATIVE_POOLS", () => {
  it("names every native worker pool once, in the pool table's order, and no coordinator family", () => {
    expect(NATIVE_POOLS).toEqual(Object.keys(POOLS));
    expect(NATIVE_POOLS).toContain("codebase");
    expect(NATIVE_POOLS).not.toContain("synth");
    expect(knownPools().slice(0, NATIVE_POOLS.length)).toEqual(NATIVE_POOLS);
  });
});
