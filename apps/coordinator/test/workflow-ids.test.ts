import { resultRoute, Subjects } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import { instanceRoute, isCallOf, mintCallId, mintWorkflowId, partitionOf } from "../src/partition/workflow-ids.js";

describe("workflow ids and their partitions", () => {
  it("a minted id names its partition, which every coordinator reads back the same", () => {
    for (const p of [0, 7, 63]) {
      const id = mintWorkflowId(p);
      expect(id).toMatch(new RegExp(`^p${p}-[0-9a-f]{32}$`));
      expect(partitionOf(id, 64)).toBe(p);
      expect(Subjects.result(id)).toBe(`tm.data.result.p${p}.${id}`);
      expect(resultRoute(id)).toBe(`p${p}`);
    }
  });

  it("an id without a partition (or naming one past the count) maps by hash, deterministically and within range", () => {
    const legacy = "0123456789abcdef0123456789abcdef";
    expect(partitionOf(legacy, 64)).toBe(partitionOf(legacy, 64));
    expect(partitionOf(legacy, 64)).toBeGreaterThanOrEqual(0);
    expect(partitionOf(legacy, 64)).toBeLessThan(64);
    expect(partitionOf("p99-abc", 64)).toBeLessThan(64);
    const spread = new Set(Array.from({ length: 2000 }, (_, i) => partitionOf(`workflow-${i}`, 64)));
    expect(spread.size).toBe(64);
    expect(resultRoute(legacy)).toBe("_");
  });

  it("a coordinator's own calls carry its route and no partition", () => {
    const route = instanceRoute("coordinator-1a2b3c4d");
    expect(route).toBe("i1a2b3c4d");
    const id = mintCallId(route);
    expect(id).toMatch(/^i1a2b3c4d-[0-9a-f]{32}$/);
    expect(isCallOf(id, route)).toBe(true);
    expect(isCallOf(id, "i00000000")).toBe(false);
    expect(Subjects.result(id)).toBe(`tm.data.result.i1a2b3c4d.${id}`);
    expect(() => instanceRoute("coordinator-x")).toThrow(/8 hex/);
  });
});
