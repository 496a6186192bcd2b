import { FanInMode } from "@toolmesh/proto";
import { start } from "@toolmesh/templates";
import { describe, expect, it } from "vitest";
import { byId, expectWellFormed, tasksOf, thrown } from "./spec-checks.js";

describe("start", () => {
  const spec = start({ goal: "How are workflow cancellations propagated?", path: "apps" });

  it("is a well-formed acyclic graph with code:, web: and synthesis stages", () => {
    expectWellFormed(spec);
    expect(spec.name).toBe("start");
    for (const t of spec.tasks) {
      if (t.id.startsWith("code-")) expect(t.stage, t.id).toMatch(/^code:(discover|analyse|search|rank|read)$/);
      else if (t.id.startsWith("web-")) expect(t.stage, t.id).toMatch(/^web:(search|rank|fetch|dedupe)$/);
      else expect(t.stage, t.id).toBe("synthesis");
    }
    expect(
      spec.tasks
        .filter((t) => t.stage === "synthesis")
        .map((t) => t.id)
        .sort(),
    ).toEqual(["correlate", "report"]);
  });

  it("runs the codebase and web explorations side by side: no edge between them", () => {
    for (const t of spec.tasks.filter((t) => t.id.startsWith("code-"))) for (const d of t.dependsOn) expect(d, t.id).toMatch(/^code-/);
    for (const t of spec.tasks.filter((t) => t.id.startsWith("web-"))) for (const d of t.dependsOn) expect(d, t.id).toMatch(/^web-/);
    expect(tasksOf(spec, "code.glob").every((t) => t.dependsOn.length === 0)).toBe(true);
    expect(tasksOf(spec, "web.search").every((t) => t.dependsOn.length === 0)).toBe(true);
  });

  it("asks the goal of both: its terms grepped in the code, the goal searched on the web", () => {
    const literal = tasksOf(spec, "code.grep").filter((t) => t.args!.literal === true);
    expect(literal.map((t) => t.args!.pattern)).toEqual(["workflow", "cancellations", "propagated"]);
    expect(tasksOf(spec, "web.search")[0]!.args!.query).toBe("How are workflow cancellations propagated?");
    expect(byId(spec).get("code-glob-js")!.args!.path).toBe("apps");
  });

  it("correlates code and web records, then reports over both and the correlation", () => {
    const t = byId(spec);
    const correlate = t.get("correlate")!;
    expect(correlate.dependsOn.sort()).toEqual(["code-ranked", "web-pages", "web-ranked"]);
    expect(correlate.args).toMatchObject({ groupBy: "term", terms: ["workflow", "cancellations", "propagated"] });
    const report = t.get("report")!;
    expect(report.dependsOn).toContain("correlate");
    expect(report.dependsOn).toEqual(expect.arrayContaining(["code-read", "code-analyze", "web-pages"]));
    expect(report.fanIn?.mode).toBe(FanInMode.FAN_IN_MODE_ALL_SETTLED);
    expect(spec.tasks.filter((x) => x.tool === "synth.report").map((x) => x.id)).toEqual(["report"]);
  });

  it("rejects bad parameters with INVALID_ARGUMENT saying what to fix", () => {
    expect(thrown(() => start({})).message).toContain("goal is required");
    expect(thrown(() => start({ goal: "x", path: "" })).message).toContain("params.path");
    expect(thrown(() => start({ goal: "x", question: "y" })).message).toMatch(/Unrecognized key.*question/);
  });
});
