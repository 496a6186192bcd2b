import type { TaskSpec } from "@toolmesh/proto";
import { ALL_SETTLED, HTTP_URL, idsOf, task } from "./graph.js";
import { anyOf, clip, termsOf } from "./terms.js";
import { agentTask, brief } from "./think-agents.js";
import { codeScope, type ThinkLayersParsed } from "./think-params.js";

/** gather → analyse → critique → synthesise, built from the goal (see docs/templates.md). */
export function defaultLayers(p: ThinkLayersParsed): TaskSpec[] {
  const codebase = codeScope(p);
  const withCode = codebase !== undefined;
  const scope = codebase ?? { root: undefined, path: "." };
  const terms = termsOf(p.goal);
  const grepTerms = terms.length > 0 ? terms : [clip(p.goal, 256)];

  // gather: what the codebase and the web say about the goal's words.
  const greps = withCode
    ? grepTerms.map((term, i) =>
        task({
          id: `grep-${i}`,
          tool: "code.grep",
          stage: "gather",
          args: { ...scope, pattern: term, literal: true, ignoreCase: true, maxResults: 100 },
        }),
      )
    : [];
  const search = task({ id: "search", tool: "web.search", stage: "gather", args: { query: clip(p.goal, 512), maxResults: 10 } });
  const gather = [...greps, search];

  // analyse: rank everything; read, analyse and fetch the top hits.
  const rank = task({
    id: "rank",
    tool: "synth.rank",
    stage: "analyse",
    args: { query: p.goal, limit: 50 },
    dependsOn: idsOf(gather),
    fanIn: ALL_SETTLED,
  });
  const code: TaskSpec[] = [];
  if (withCode) {
    const rankCode = task({
      id: "rank-code",
      tool: "synth.rank",
      stage: "analyse",
      args: { query: p.goal, limit: Math.max(20, p.maxHits * 2) },
      dependsOn: idsOf(greps),
      fanIn: ALL_SETTLED,
    });
    const analyze = task({
      id: "analyze",
      tool: "code.analyze",
      stage: "analyse",
      args: { root: p.root, path: "{{item}}", maxFiles: 1 },
      forEach: { from: rankCode.id, items: "records[].path", maxItems: p.maxHits },
      fanIn: ALL_SETTLED,
    });
    const read = task({
      id: "read",
      tool: "code.read",
      stage: "analyse",
      args: { root: p.root, path: "{{item.path}}", startLine: "{{item.line}}", maxBytes: 4096 },
      forEach: { from: rankCode.id, items: "records", maxItems: p.maxHits },
      fanIn: ALL_SETTLED,
    });
    code.push(rankCode, analyze, read);
  }
  const fetch = task({
    id: "fetch",
    tool: "web.fetch",
    stage: "analyse",
    args: { url: "{{item}}", timeoutMs: 15_000 },
    forEach: { from: search.id, items: "results[].url", maxItems: Math.min(p.maxHits, 5), match: HTTP_URL },
    fanIn: { mode: "deadline", deadlineMs: 20_000 },
    timeoutMs: 20_000,
  });
  const analyse = [rank, ...code, fetch];

  // critique: cross-links code ↔ web, duplicates out, loose ends near the hits.
  const correlate = task({
    id: "correlate",
    tool: "synth.correlate",
    stage: "critique",
    args: { groupBy: "term", terms: grepTerms.slice(0, 64) },
    dependsOn: idsOf(analyse),
    fanIn: ALL_SETTLED,
  });
  const dedupe = task({ id: "dedupe", tool: "synth.dedupe", stage: "critique", args: {}, dependsOn: idsOf(analyse), fanIn: ALL_SETTLED });
  const critiqueCode = withCode
    ? [
        task({
          id: "todo-near",
          tool: "code.grep",
          stage: "critique",
          args: { root: p.root, path: "{{item}}", pattern: String.raw`\b(TODO|FIXME|HACK|XXX)\b`, contextLines: 2, maxResults: 50 },
          forEach: { from: "rank-code", items: "records[].path", maxItems: p.maxHits },
          fanIn: ALL_SETTLED,
        }),
        task({
          id: "tests-near",
          tool: "code.grep",
          stage: "critique",
          args: {
            ...scope,
            pattern: anyOf(grepTerms),
            ignoreCase: true,
            include: ["*.test.*", "*.spec.*", "*_test.*", "test_*.py", "**/test/**", "**/tests/**", "**/__tests__/**"],
            maxResults: 100,
          },
          dependsOn: ["rank-code"],
        }),
      ]
    : [];
  const critique = [correlate, dedupe, ...critiqueCode];

  const agents: TaskSpec[] = [];
  if (p.useAgents) {
    const gatherBrief = brief("gather", idsOf(gather));
    const analyseBrief = brief("analyse", idsOf(analyse));
    const critiqueBrief = brief("critique", idsOf(critique));
    agents.push(
      gatherBrief,
      agentTask(p, "analyse", idsOf(gather), gatherBrief.id, withCode),
      analyseBrief,
      agentTask(p, "critique", idsOf(analyse), analyseBrief.id, withCode),
      critiqueBrief,
      agentTask(p, "synthesise", idsOf(critique), critiqueBrief.id, withCode),
    );
  }

  const reportInputs = [
    ...idsOf(analyse),
    ...idsOf(critique),
    ...agents.filter((a) => a.tool === "agent.run" && a.stage !== "synthesise").map((a) => a.id),
  ];
  const report = task({
    id: "report",
    tool: "synth.report",
    stage: "synthesise",
    args: { title: clip(`Think: ${p.goal}`, 256), question: p.goal, maxItems: 20 },
    dependsOn: reportInputs,
    fanIn: ALL_SETTLED,
  });
  return [...gather, ...analyse, ...critique, ...agents, report];
}
