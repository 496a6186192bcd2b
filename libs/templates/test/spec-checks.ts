import { ToolError } from "@toolmesh/core";
import type { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
import { checkWorkflow } from "@toolmesh/spec";
import { parseToolArgs } from "@toolmesh/tools";
import { expect } from "vitest";

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_\-.[\]]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z0-9_\-.[\]]+)\s*\}\}$/;

/** The only fields that take a whole-string placeholder, by tool, each with a sample of the field's type. */
export const PLACEHOLDER_FIELDS: Record<string, Record<string, unknown>> = {
  "code.analyze": { path: "src/main.ts" },
  "code.read": { path: "src/main.ts", startLine: 42 },
  "code.grep": { path: "src/main.ts" },
  "web.fetch": { url: "https://example.com/page" },
};

/**
 * Args as the coordinator would dispatch them: a whole-string placeholder
 * becomes a sample value of its field's type (and fails the test in a field
 * not listed above), one inside a longer string becomes sample text.
 */
export function filled(t: TaskSpec): Record<string, unknown> {
  const samples = PLACEHOLDER_FIELDS[t.tool] ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(t.args ?? {})) {
    if (typeof value === "string" && value.includes("{{")) {
      if (WHOLE.test(value)) {
        expect(key in samples, `${t.id}: whole-string placeholder in ${t.tool} args.${key}`).toBe(true);
        out[key] = samples[key];
      } else {
        out[key] = value.replace(PLACEHOLDER, "sample text");
      }
    } else {
      expect(JSON.stringify(value) ?? "", `${t.id}: placeholder nested in args.${key}`).not.toContain("{{");
      out[key] = value;
    }
  }
  return out;
}

export function byId(spec: WorkflowSpec): Map<string, TaskSpec> {
  return new Map(spec.tasks.map((t) => [t.id, t]));
}

/** Task ids in an order where every task comes after its dependencies; throws on a cycle. */
export function topoOrder(spec: WorkflowSpec): string[] {
  const tasks = byId(spec);
  const state = new Map<string, "visiting" | "done">();
  const order: string[] = [];
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") throw new Error(`cycle: ${[...path, id].join(" → ")}`);
    state.set(id, "visiting");
    for (const dep of tasks.get(id)?.dependsOn ?? []) visit(dep, [...path, id]);
    state.set(id, "done");
    order.push(id);
  };
  for (const id of tasks.keys()) visit(id, []);
  return order;
}

/** Everything the coordinator checks before running a spec, plus the templates' own promises. */
export function expectWellFormed(spec: WorkflowSpec): void {
  expect(spec.tasks.length).toBeGreaterThan(0);
  const ids = spec.tasks.map((t) => t.id);
  expect(new Set(ids).size, "task ids are unique").toBe(ids.length);
  for (const t of spec.tasks) {
    expect(t.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(t.stage, `${t.id} has a stage`).not.toBe("");
    for (const dep of t.dependsOn) {
      expect(ids, `${t.id} depends on an existing task`).toContain(dep);
      expect(dep).not.toBe(t.id);
    }
    if (t.forEach) {
      expect(ids, `${t.id}: forEach.from names a task`).toContain(t.forEach.from);
      expect(t.dependsOn, `${t.id}: forEach.from is in dependsOn`).toContain(t.forEach.from);
      expect(t.forEach.items).toMatch(/^[A-Za-z0-9_.]*(\[\](\.[A-Za-z0-9_]+)*)?$/);
    }
    for (const m of JSON.stringify(t.args).matchAll(PLACEHOLDER)) {
      const [head, ref] = m[1]!.split(".");
      if (head === "item" || head === "index") expect(t.forEach, `${t.id}: {{${m[1]}}} outside a fan-out`).toBeDefined();
      else {
        expect(head).toBe("tasks");
        expect(t.dependsOn, `${t.id}: {{${m[1]}}} reads a dependency`).toContain(ref);
      }
    }
    expect(() => parseToolArgs(t.tool, filled(t)), `${t.id} (${t.tool}) args`).not.toThrow();
  }
  expect(() => topoOrder(spec)).not.toThrow();
  expect(() => checkWorkflow(spec)).not.toThrow();
}

/** The ToolError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): ToolError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return err as ToolError;
  }
  throw new Error("expected a ToolError, nothing was thrown");
}

export function tasksOf(spec: WorkflowSpec, tool: string): TaskSpec[] {
  return spec.tasks.filter((t) => t.tool === tool);
}
