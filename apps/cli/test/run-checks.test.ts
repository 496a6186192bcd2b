import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readWorkflowFile } from "../src/workflow-file.js";
import { tempDir, toolmesh } from "./support/cli.js";

const examples = new URL("../../../examples/", import.meta.url).pathname;

/** Workflow files the coordinator would refuse, and its message for each. */
const refused: Array<[string, string, string]> = [
  [
    "a cycle",
    "name: c\ntasks:\n  - id: a\n    tool: test.echo\n    dependsOn: [b]\n  - id: b\n    tool: test.echo\n    dependsOn: [a]\n",
    "dependsOn has a cycle: a → b → a; remove one of these edges",
  ],
  [
    "an unknown dependency",
    "name: u\ntasks:\n  - id: a\n    tool: test.echo\n    dependsOn: [nope]\n",
    'task "a" depends on unknown task "nope"',
  ],
  [
    "a quorum without a count",
    "name: q\ntasks:\n  - id: a\n    tool: test.echo\n  - id: b\n    tool: test.echo\n    dependsOn: [a]\n    fanIn: { mode: quorum }\n",
    'tasks[1] (id "b"): fanIn mode QUORUM needs quorum >= 1',
  ],
];

describe("toolmesh run checks the workflow file before it submits", () => {
  it.each(refused)("refuses %s as a usage error, without a stack", async (_, text, message) => {
    const dir = tempDir();
    const file = join(dir, "wf.yaml");
    writeFileSync(file, text);
    // Nothing listens here: a refusal that reached for the coordinator would say UNAVAILABLE.
    const run = await toolmesh(["run", file], { cwd: dir, env: { TOOLMESH_ADDRESS: "127.0.0.1:1" } });
    expect(run.stderr).toBe(`error: ${file}: ${message}\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
  });

  it("passes the examples, whose MCP-free tools it knows", async () => {
    for (const name of ["fan-out.yaml", "survey.yaml"]) await expect(readWorkflowFile(join(examples, name))).resolves.toBeDefined();
  });
});
