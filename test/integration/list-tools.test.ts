import { TOOLS } from "@toolmesh/tools";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

it("ListTools lists every catalog tool with its JSON Schema as a plain object", async () => {
  const tools = await stack.client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS.keys()].sort());
  const grep = tools.find((t) => t.name === "code.grep")!;
  expect(grep).toMatchObject({ pool: "codebase", shareable: true, destructive: false, openWorld: false });
  expect(grep.argsSchema).toMatchObject({ type: "object", required: ["pattern"], additionalProperties: false });
  expect((grep.argsSchema.properties as Record<string, unknown>).engine).toEqual({ type: "string", enum: ["auto", "ripgrep", "builtin"], default: "auto" });
  expect(grep.outputSchema).toBeUndefined();
  expect(tools.find((t) => t.name === "synth.report")).toMatchObject({ pool: "synth" });
  expect(tools.find((t) => t.name === "bash.exec")).toMatchObject({ destructive: true, shareable: false });
  expect(tools.find((t) => t.name === "web.search")).toMatchObject({ openWorld: true });
});
