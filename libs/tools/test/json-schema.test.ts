import { TOOLS, catalogJsonSchemas, toJsonSchema } from "@toolmesh/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";

describe("catalogJsonSchemas", () => {
  const tools = catalogJsonSchemas();
  const byName = new Map(tools.map((t) => [t.name, t]));

  it("lists every catalog tool, synth.* included, with a plain object schema", () => {
    expect(tools.map((t) => t.name)).toEqual([...TOOLS.keys()]);
    expect(byName.get("synth.merge")?.pool).toBe("synth");
    for (const tool of tools) {
      expect(tool.argsSchema.type, tool.name).toBe("object");
      const text = JSON.stringify(tool.argsSchema);
      for (const noise of ["$schema", "$ref", "definitions", "$defs"]) expect(text, `${tool.name} ${noise}`).not.toContain(noise);
      // Plain JSON: survives a round trip (what a google.protobuf.Struct can carry).
      expect(JSON.parse(text)).toEqual(tool.argsSchema);
    }
  });

  it("gives fields, required ones, defaults and strictness", () => {
    const read = byName.get("code.read")!;
    expect(read.argsSchema).toMatchObject({
      properties: { path: { type: "string", minLength: 1 }, maxBytes: { type: "integer", default: 1024 * 1024 } },
      required: ["path"],
      additionalProperties: false,
    });
    expect(byName.get("web.search")!.argsSchema).toMatchObject({ required: ["query"] });
  });

  it("flags side effects: shareable, destructive, open world", () => {
    expect(byName.get("code.grep")).toMatchObject({ shareable: true, destructive: false, openWorld: false });
    expect(byName.get("bash.exec")).toMatchObject({ shareable: false, destructive: true, openWorld: false });
    expect(byName.get("web.fetch")).toMatchObject({ shareable: true, destructive: false, openWorld: true });
  });

  it("gives every tool's output schema as a plain object schema", () => {
    for (const tool of tools) {
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      const text = JSON.stringify(tool.outputSchema);
      for (const noise of ["$schema", "$ref", "definitions", "$defs"]) expect(text, `${tool.name} ${noise}`).not.toContain(noise);
      expect(JSON.parse(text)).toEqual(tool.outputSchema);
    }
    expect(byName.get("code.grep")?.outputSchema).toMatchObject({
      properties: {
        engine: { enum: ["ripgrep", "builtin"] },
        matches: { type: "array", items: { required: ["path", "line", "column", "text"] } },
      },
      additionalProperties: false,
    });
  });

  it("returns copies a caller may change", () => {
    (catalogJsonSchemas()[0]!.argsSchema as Record<string, unknown>).type = "changed";
    expect(catalogJsonSchemas()[0]!.argsSchema.type).toBe("object");
  });

  it("toJsonSchema inlines repeated sub-schemas instead of referring to them", () => {
    const item = z.object({ a: z.string() });
    const schema = toJsonSchema(z.object({ x: item, y: item }));
    expect(schema).toMatchObject({ properties: { x: { type: "object" }, y: { type: "object" } } });
    expect(JSON.stringify(schema)).not.toContain("$ref");
  });
});
