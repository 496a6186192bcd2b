import { FanInMode } from "@toolmesh/proto";
import { parseToolArgs } from "@toolmesh/tools";
import { thinkLayers } from "@toolmesh/templates";
import { describe, expect, it } from "vitest";
import { byId, expectWellFormed, tasksOf, thrown } from "./spec-checks.js";

const LAYERS = ["gather", "analyse", "critique", "synthesise"];

describe("think-layers, default layers", () => {
  it("builds gather → analyse → critique → synthesise from the goal, web only without a path", () => {
    const spec = thinkLayers({ goal: "compare retry backoff strategies" });
    expectWellFormed(spec);
    expect(spec.name).toBe("think-layers");
    expect(new Set(spec.tasks.map((t) => t.stage))).toEqual(new Set(LAYERS));
    expect(spec.tasks.filter((t) => t.tool.startsWith("code."))).toEqual([]);
    expect(tasksOf(spec, "web.search").map((t) => t.args!.query)).toEqual(["compare retry backoff strategies"]);
    expect(byId(spec).get("report")!.stage).toBe("synthesise");
  });

  it("with a path, greps the goal's terms and fans out reads, analyses and TODO greps over the top hits", () => {
    const spec = thinkLayers({ goal: "How does the scheduler pick priorities?", path: "apps", maxHits: 6 });
    expectWellFormed(spec);
    const t = byId(spec);
    const gatherGreps = spec.tasks.filter((x) => x.tool === "code.grep" && x.stage === "gather");
    expect(gatherGreps.map((g) => g.args!.pattern)).toEqual(["scheduler", "pick", "priorities"]);
    for (const g of gatherGreps) expect(g.args).toMatchObject({ literal: true, ignoreCase: true, path: "apps" });
    expect(t.get("rank-code")!.dependsOn.sort()).toEqual(gatherGreps.map((g) => g.id).sort());
    for (const id of ["analyze", "read", "todo-near"]) {
      expect(t.get(id)!.forEach, id).toMatchObject({ from: "rank-code", maxItems: 6 });
    }
    expect(t.get("todo-near")!.stage).toBe("critique");
    expect(t.get("tests-near")!.args!.pattern).toBe("scheduler|pick|priorities");
    const analyse = spec.tasks.filter((x) => x.stage === "analyse").map((x) => x.id);
    expect(t.get("correlate")!.dependsOn.sort()).toEqual(analyse.sort());
    expect(t.get("correlate")!.args).toMatchObject({ groupBy: "term", terms: ["scheduler", "pick", "priorities"] });
    expect(t.get("report")!.dependsOn).toEqual(expect.arrayContaining(["correlate", "dedupe", "todo-near", "tests-near", "rank"]));
  });

  it("with useAgents, adds an LLM agent to analyse, critique and synthesise that reads the previous layer's brief", () => {
    const spec = thinkLayers({ goal: "audit the SSRF guard", path: ".", useAgents: true });
    expectWellFormed(spec);
    const t = byId(spec);
    const agents = tasksOf(spec, "agent.run");
    expect(agents.map((a) => a.stage)).toEqual(["analyse", "critique", "synthesise"]);
    for (const a of agents) {
      const args = parseToolArgs("agent.run", a.args) as {
        goal: string;
        policy: string;
        tools: string[];
        budget: { maxCalls: number; maxDepth: number };
      };
      expect(args.policy).toBe("llm");
      expect(args.goal).toContain(`"${a.stage}" layer`);
      expect(args.goal).toContain("audit the SSRF guard");
      expect(args.tools).not.toContain("bash.exec");
      expect(args.budget.maxCalls).toBeLessThanOrEqual(20);
      const ref = /\{\{tasks\.([A-Za-z0-9_-]+)\.markdown\}\}/.exec(args.goal);
      expect(ref, `${a.id} reads a brief`).not.toBeNull();
      const brief = t.get(ref![1]!)!;
      expect(brief.tool).toBe("synth.report");
      expect(a.dependsOn).toContain(brief.id);
      expect(LAYERS.indexOf(brief.stage)).toBe(LAYERS.indexOf(a.stage) - 1);
    }
  });
});

describe("think-layers, custom layers", () => {
  const layers = [
    {
      name: "find",
      tasks: [
        { id: "g1", tool: "code.grep", args: { pattern: "retry" } },
        { id: "g2", tool: "code.glob", args: { patterns: ["*.ts"] } },
      ],
    },
    {
      name: "look",
      tasks: [
        { id: "r", tool: "code.read", args: { path: "{{item}}" }, forEach: { from: "g2", items: "files[].path", maxItems: 5 } },
        { tool: "synth.merge" },
      ],
    },
    { name: "sum", tasks: [{ id: "rep", tool: "synth.report", args: { title: "t" } }] },
  ];

  it("wires every task of a layer to every task of the previous layer, and no further back", () => {
    const spec = thinkLayers({ goal: "g", layers });
    expectWellFormed(spec);
    const t = byId(spec);
    expect(t.get("g1")!.dependsOn).toEqual([]);
    expect(t.get("g2")!.dependsOn).toEqual([]);
    expect(t.get("r")!.dependsOn.sort()).toEqual(["g1", "g2"]);
    expect(t.get("look-1")!.dependsOn.sort()).toEqual(["g1", "g2"]);
    expect(t.get("rep")!.dependsOn.sort()).toEqual(["look-1", "r"]);
    expect(spec.tasks.map((x) => [x.id, x.stage])).toEqual([
      ["g1", "find"],
      ["g2", "find"],
      ["r", "look"],
      ["look-1", "look"],
      ["rep", "sum"],
    ]);
    // Later layers go on when some of the previous layer failed.
    expect(t.get("look-1")!.fanIn?.mode).toBe(FanInMode.FAN_IN_MODE_ALL_SETTLED);
    expect(spec.limits?.maxCalls).toBe(4 + 5);
  });

  it("adds an earlier layer's task named by forEach.from or {{tasks.<id>}} to dependsOn", () => {
    const spec = thinkLayers({
      goal: "g",
      layers: [
        { name: "a", tasks: [{ id: "glob", tool: "code.glob", args: { patterns: ["*.md"] } }] },
        { name: "b", tasks: [{ id: "m", tool: "synth.merge" }] },
        {
          name: "c",
          tasks: [
            { id: "each", tool: "code.read", args: { path: "{{item}}" }, forEach: { from: "glob", items: "files[].path", maxItems: 3 } },
            { id: "ask", tool: "web.search", args: { query: "{{tasks.glob.root}} readme" } },
          ],
        },
      ],
    });
    expectWellFormed(spec);
    const t = byId(spec);
    expect(t.get("each")!.dependsOn.sort()).toEqual(["glob", "m"]);
    expect(t.get("ask")!.dependsOn.sort()).toEqual(["glob", "m"]);
  });

  it("with useAgents, gives each layer after the first an agent depending on the previous layer", () => {
    const spec = thinkLayers({ goal: "why is it slow", useAgents: true, layers });
    expectWellFormed(spec);
    const agents = tasksOf(spec, "agent.run");
    expect(agents.map((a) => [a.id, a.stage])).toEqual([
      ["look-agent", "look"],
      ["sum-agent", "sum"],
    ]);
    expect(byId(spec).get("look-agent")!.dependsOn.sort()).toEqual(["g1", "g2"]);
    expect(byId(spec).get("rep")!.dependsOn.sort()).toEqual(["look-1", "look-agent", "r"]);
  });

  it("rejects bad layers with INVALID_ARGUMENT naming the layer and task", () => {
    const cases: Array<[unknown, string | RegExp]> = [
      [
        { goal: "g", layers: [{ name: "a", tasks: [{ tool: "code.nope" }] }] },
        'params.layers[0].tasks[0] (id "a-0"): unknown tool "code.nope"',
      ],
      [
        { goal: "g", layers: [{ name: "a", tasks: [{ tool: "code.grep", args: {} }] }] },
        /params\.layers\[0\]\.tasks\[0\].*bad arguments for code\.grep: args\.pattern: Required/,
      ],
      [
        {
          goal: "g",
          layers: [
            { name: "a", tasks: [{ tool: "synth.merge" }] },
            { name: "a", tasks: [{ tool: "synth.merge" }] },
          ],
        },
        "layer names must be unique",
      ],
      [
        {
          goal: "g",
          layers: [
            {
              name: "a",
              tasks: [
                { id: "x", tool: "synth.merge" },
                { id: "x", tool: "synth.merge" },
              ],
            },
          ],
        },
        "duplicate task id",
      ],
      [
        { goal: "g", layers: [{ name: "a", tasks: [{ id: "x", tool: "code.read", args: { path: "{{item}}" }, forEach: { from: "x" } }] }] },
        'forEach.from "x" must name a task of an earlier layer',
      ],
      [
        { goal: "g", layers: [{ name: "a", tasks: [{ tool: "web.search", args: { query: "{{tasks.later.q}}" } }] }] },
        "must name a task of an earlier layer",
      ],
      [{ goal: "g", layers: [] }, "needs at least one layer"],
      [{ goal: "g", layers: [{ name: "a b", tasks: [{ tool: "synth.merge" }] }] }, "layer names are 1-32 letters"],
      [{ goal: "g", layers: [{ name: "a", tasks: [] }] }, "a layer needs at least one task"],
      [{ goal: "g", layers: [{ name: "a", tasks: [{ tool: "synth.merge", fanIn: { mode: "quorum" } }] }] }, "needs quorum >= 1"],
      [{}, "goal is required"],
      [{ goal: "   " }, "goal must not be empty"],
    ];
    for (const [params, message] of cases) {
      const err = thrown(() => thinkLayers(params));
      expect(err.code).toBe("INVALID_ARGUMENT");
      if (typeof message === "string") expect(err.message).toContain(message);
      else expect(err.message).toMatch(message);
    }
  });
});
