import { parseToolArgs, useRuntimeTools } from "@toolmesh/tools";
import { afterEach, describe, expect, it } from "vitest";
import { RuntimeCatalog, jsonSchemaArgs, type RuntimeToolEntry } from "../src/index.js";

const readFile: RuntimeToolEntry = {
  name: "fs.read_file",
  pool: "mcp-fs",
  upstreamTool: "read_file",
  description: "Reads a file",
  inputSchema: {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { path: { type: "string" }, head: { type: "number" } },
    required: ["path"],
    additionalProperties: false,
  },
  shareable: true,
  destructive: false,
  openWorld: false,
  minLimit: 8,
  maxLimit: 32,
  instanceId: "mcp-fs-1",
  updatedAtMs: 0,
};

afterEach(() => useRuntimeTools(undefined));

describe("run-time tools' arguments", () => {
  it("are checked against the upstream's JSON Schema, naming each bad field as parseToolArgs does", () => {
    const catalog = new RuntimeCatalog();
    catalog.apply(readFile);
    useRuntimeTools(catalog);
    expect(parseToolArgs("fs.read_file", { path: "/a" })).toEqual({ path: "/a" });
    expect(() => parseToolArgs("fs.read_file", { path: 5 })).toThrow(/bad arguments for fs\.read_file: args\.path: must be string/);
    expect(() => parseToolArgs("fs.read_file", {})).toThrow(/args\.path: is required/);
    expect(() => parseToolArgs("fs.read_file", { path: "/a", tail: 1 })).toThrow(/args\.tail: is not a known argument/);
    expect(() => parseToolArgs("fs.nope", {})).toThrow(/unknown tool "fs\.nope"; known tools: .*fs\.read_file/);
  });
  it("follow draft 2020-12 when the schema says so", () => {
    const { args } = jsonSchemaArgs({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { xs: { type: "array", prefixItems: [{ type: "string" }] } },
    });
    expect(args.safeParse({ xs: ["a"] }).success).toBe(true);
    expect(args.safeParse({ xs: [1] }).success).toBe(false);
  });
  it("go unchecked, saying so, when the schema does not compile", () => {
    const { args, problem } = jsonSchemaArgs({ type: "object", properties: { a: { $ref: "#/nowhere" } } });
    expect(problem).toMatch(/does not compile/);
    expect(args.safeParse({ a: 1 }).success).toBe(true);
  });
  it("an older revision does not replace a newer one; a delete removes the tool", () => {
    const catalog = new RuntimeCatalog();
    catalog.apply({ ...readFile, description: "new" }, 5);
    catalog.apply({ ...readFile, description: "old" }, 3);
    expect(catalog.entries()[0]?.description).toBe("new");
    catalog.remove("fs.read_file", 6);
    expect(catalog.get("fs.read_file")).toBeUndefined();
  });
});
