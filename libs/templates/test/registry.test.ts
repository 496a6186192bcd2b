import { WorkflowSpec } from "@toolmesh/proto";
import {
  TEMPLATE_DOCS,
  TEMPLATE_NAMES,
  buildTemplate,
  exploreCodebase,
  exploreCodebaseParams,
  exploreWebParams,
  startParams,
  termsOf,
  thinkLayersParams,
} from "@toolmesh/templates";
import { describe, expect, it } from "vitest";
import { thrown } from "./spec-checks.js";

const SAMPLE_PARAMS: Record<string, unknown> = {
  "explore-codebase": { question: "auth" },
  "explore-web": { queries: ["auth"] },
  "think-layers": { goal: "auth", path: "." },
  start: { goal: "auth" },
};

describe("buildTemplate", () => {
  it("knows the four templates and builds each by name", () => {
    expect([...TEMPLATE_NAMES]).toEqual(["explore-codebase", "explore-web", "think-layers", "start"]);
    expect(buildTemplate("explore-codebase", { question: "auth" })).toEqual(exploreCodebase({ question: "auth" }));
    for (const name of TEMPLATE_NAMES) expect(buildTemplate(name, SAMPLE_PARAMS[name]).name).toBe(name);
  });

  it("builds specs that survive the protobuf wire (Struct args) unchanged", () => {
    for (const name of TEMPLATE_NAMES) {
      const spec = buildTemplate(name, SAMPLE_PARAMS[name]);
      expect(WorkflowSpec.decode(WorkflowSpec.encode(spec).finish()), name).toEqual(spec);
    }
  });

  it("refuses an unknown template with INVALID_ARGUMENT listing the known ones", () => {
    const err = thrown(() => buildTemplate("explore-everything", {}));
    expect(err.code).toBe("INVALID_ARGUMENT");
    expect(err.message).toBe('unknown template "explore-everything"; known templates: explore-codebase, explore-web, think-layers, start');
  });

  it("documents exactly the parameters each template accepts", () => {
    const schemas = {
      "explore-codebase": exploreCodebaseParams,
      "explore-web": exploreWebParams,
      "think-layers": thinkLayersParams,
      start: startParams,
    };
    for (const name of TEMPLATE_NAMES) {
      expect(TEMPLATE_DOCS[name].params.map((p) => p.name).sort(), name).toEqual(Object.keys(schemas[name].shape).sort());
      const defaults = schemas[name].safeParse(SAMPLE_PARAMS[name]);
      expect(defaults.success).toBe(true);
      for (const doc of TEMPLATE_DOCS[name].params.filter((p) => p.default !== undefined)) {
        expect((defaults.data as Record<string, unknown>)[doc.name], `${name}.${doc.name}`).toEqual(doc.default);
      }
    }
  });
});

describe("termsOf", () => {
  it("keeps quoted phrases and meaningful words, drops stop words and duplicates", () => {
    expect(termsOf('Where is the "rate limit" handled? How does auth, Auth and createLogger work in v2?')).toEqual([
      "rate limit",
      "auth",
      "createLogger",
      "v2",
    ]);
    expect(termsOf("what is it")).toEqual([]);
    expect(
      termsOf(
        "a b c d e f g h i j k l m n o p q r s t u v w x y z"
          .split(" ")
          .map((c) => c.repeat(3))
          .join(" "),
      ),
    ).toHaveLength(8);
  });
});
