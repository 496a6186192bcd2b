import { parseToolArgs } from "@toolmesh/tools";
import { TEMPLATE_NAMES, buildTemplate, rootRelative } from "@toolmesh/templates";
import { describe, expect, it } from "vitest";
import { byId, expectWellFormed, thrown } from "./spec-checks.js";

/** The templates that search a codebase, each with the params that make it do so. */
const CODEBASE_TEMPLATES: Record<string, Record<string, unknown>> = {
  "explore-codebase": { question: "where are results acked" },
  "think-layers": { goal: "where are results acked" },
  start: { goal: "where are results acked" },
};

const codeTasks = (name: string, params: Record<string, unknown>) =>
  buildTemplate(name, params).tasks.filter((t) => t.tool.startsWith("code."));

describe("codebase scope of a template: root and root-relative path", () => {
  it("refuses an absolute path once, at expansion, with one message saying to use --root NAME and how to configure roots", () => {
    for (const [name, base] of Object.entries(CODEBASE_TEMPLATES)) {
      const err = thrown(() => buildTemplate(name, { ...base, path: "/usr/lib/node_modules/npm" }));
      expect(err.code, name).toBe("INVALID_ARGUMENT");
      expect(err.message, name).toBe(
        `template "${name}": bad parameters: params.path: "/usr/lib/node_modules/npm" is absolute; ` +
          'give the root\'s name with --root NAME (template parameter "root") and a path relative to it; configure roots with `toolmesh up --root NAME=DIR`',
      );
    }
  });

  it("refuses paths that climb out of the root, Windows and home-directory paths; normalizes the rest", () => {
    for (const path of ["..", "../sibling", "apps/../../etc", "C:\\src", "C:/src", "\\\\server\\share", "~", "~/src"]) {
      const err = thrown(() => buildTemplate("explore-codebase", { path }));
      expect(err.code, path).toBe("INVALID_ARGUMENT");
      expect(err.message, path).toContain("--root NAME");
    }
    expect(thrown(() => buildTemplate("explore-codebase", { path: "../x" })).message).toContain('"../x" climbs out of the root with ".."');
    expect(thrown(() => buildTemplate("explore-codebase", { path: "a\0b" })).message).toContain("NUL byte");
    expect(rootRelative("./apps/")).toEqual({ path: "apps" });
    expect(rootRelative("apps/../libs//core")).toEqual({ path: "libs/core" });
    expect(rootRelative("apps/..")).toEqual({ path: "." });
    expect(rootRelative("..foo")).toEqual({ path: "..foo" });
    // What the codebase tasks get is the normalized path.
    for (const t of codeTasks("explore-codebase", { path: "./apps/coordinator/" })) {
      if (!String(t.args!.path).includes("{{")) expect(t.args!.path, t.id).toBe("apps/coordinator");
    }
  });

  it("refuses a directory given as the root, and root names codebase pools cannot have", () => {
    const dir = thrown(() => buildTemplate("start", { goal: "x", root: "/usr/lib/node_modules/npm" }));
    expect(dir.code).toBe("INVALID_ARGUMENT");
    expect(dir.message).toContain('params.root: "/usr/lib/node_modules/npm" is a directory, not a root name');
    expect(dir.message).toContain("`toolmesh up --root NAME=/usr/lib/node_modules/npm`");
    expect(thrown(() => buildTemplate("explore-codebase", { root: "my root" })).message).toContain(
      'params.root: "my root" is not a root name',
    );
    expect(thrown(() => buildTemplate("think-layers", { goal: "x", root: "" })).message).toContain("params.root: root must not be empty");
  });

  it("passes root to every codebase task of every template, path relative to it", () => {
    for (const [name, base] of Object.entries(CODEBASE_TEMPLATES)) {
      const spec = buildTemplate(name, { ...base, root: "npm", path: "lib" });
      expectWellFormed(spec);
      const code = spec.tasks.filter((t) => t.tool.startsWith("code."));
      expect(code.length, name).toBeGreaterThan(0);
      for (const t of code) {
        expect(t.args!.root, `${name} ${t.id}`).toBe("npm");
        if (!String(t.args!.path).includes("{{")) expect(t.args!.path, `${name} ${t.id}`).toBe("lib");
      }
    }
    expect(TEMPLATE_NAMES.filter((n) => !(n in CODEBASE_TEMPLATES))).toEqual(["explore-web"]);
    expect(byId(buildTemplate("explore-codebase", { root: "npm", path: "lib" })).get("report")!.args!.title).toBe(
      "Codebase: lib (root npm)",
    );
  });

  it("think-layers with a root and no path searches the whole root; with neither, the web only", () => {
    const code = codeTasks("think-layers", { goal: "where are results acked", root: "npm" });
    expect(code.length).toBeGreaterThan(0);
    for (const t of code.filter((t) => t.tool === "code.grep" && t.stage === "gather"))
      expect(t.args).toMatchObject({ root: "npm", path: "." });
    expect(codeTasks("think-layers", { goal: "where are results acked" })).toEqual([]);
  });

  it("think-layers agents are told the root, since their code.* calls would otherwise go to the default one", () => {
    const spec = buildTemplate("think-layers", { goal: "audit the SSRF guard", root: "npm", path: "lib", useAgents: true });
    for (const a of spec.tasks.filter((t) => t.tool === "agent.run")) {
      expect(String(a.args!.goal), a.id).toContain('pass root "npm" in every code.* call');
    }
  });

  it("custom layers: codebase tasks inherit the template's root unless they name one; their paths are checked alike", () => {
    const layers = (path: string) => [
      {
        name: "find",
        tasks: [
          { id: "glob", tool: "code.glob", args: { patterns: ["*.ts"], path } },
          { id: "other", tool: "code.grep", args: { pattern: "x", root: "other" } },
        ],
      },
      {
        name: "read",
        tasks: [{ id: "read", tool: "code.read", args: { path: "{{item.path}}" }, forEach: { from: "glob", items: "files", maxItems: 3 } }],
      },
    ];
    const spec = buildTemplate("think-layers", { goal: "x", root: "npm", layers: layers("./lib/") });
    const t = byId(spec);
    expect(t.get("glob")!.args).toMatchObject({ root: "npm", path: "lib" });
    expect(t.get("other")!.args!.root).toBe("other");
    expect(t.get("read")!.args).toMatchObject({ root: "npm", path: "{{item.path}}" });
    const err = thrown(() => buildTemplate("think-layers", { goal: "x", layers: layers("/abs/lib") }));
    expect(err.message).toBe(
      'template "think-layers": params.layers[0].tasks[0] (id "glob"): args.path: "/abs/lib" is absolute; ' +
        'give the root\'s name with --root NAME (template parameter "root") and a path relative to it; configure roots with `toolmesh up --root NAME=DIR`',
    );
    // Web tools are not codebase tasks: no root is added to them.
    const web = buildTemplate("think-layers", {
      goal: "x",
      root: "npm",
      layers: [{ name: "s", tasks: [{ id: "s", tool: "web.search", args: { query: "x" } }] }],
    });
    expect(parseToolArgs("web.search", web.tasks[0]!.args)).not.toHaveProperty("root");
  });
});
