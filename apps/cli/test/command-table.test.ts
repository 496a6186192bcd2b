import type { CommandSpec } from "@toolmesh/command-line";
import { describe, expect, it } from "vitest";
import { TOOLMESH } from "../src/command-table.js";
import { toolmesh } from "./support/cli.js";

const command = (name: string): CommandSpec => TOOLMESH.commands.find((c) => c.name === name)!;

describe("toolmesh's commands", () => {
  it("finds commands, and has no default one", () => {
    expect(TOOLMESH.find(["status", "--json"])).toEqual({ command: command("status"), rest: ["--json"] });
    expect(TOOLMESH.find(["nope"])).toBeUndefined();
  });

  it("each takes only its own flags", () => {
    expect(() => TOOLMESH.parse(command("run"), ["x.yaml", "--demo"])).toThrow("toolmesh run does not take --demo");
    expect(() => TOOLMESH.parse(command("up"), ["--json"])).toThrow("toolmesh up does not take --json");
    expect(() => TOOLMESH.parse(command("call"), ["t", "-q"])).toThrow("toolmesh call does not take -q");
    expect(() => TOOLMESH.parse(command("status"), ["--timeout=3"])).toThrow("toolmesh status does not take --timeout");
    // Flags that used to be global belong to their command now.
    expect(() => TOOLMESH.parse(command("explore-web"), ["q", "--root", "a"])).toThrow("toolmesh explore-web does not take --root");
    expect(() => TOOLMESH.parse(command("top"), ["--address", "x"])).toThrow("toolmesh top does not take --address");
  });

  it("up takes --root again and again, and --ready-timeout in seconds", () => {
    const parsed = TOOLMESH.parse(command("up"), ["--root", "a=/x", "--root", ".", "--ready-timeout", "2.5", "--exit"]);
    if (parsed.help) throw new Error("unexpected help");
    expect(parsed.args.strings("root")).toEqual(["a=/x", "."]);
    expect(parsed.args.seconds("ready-timeout")).toBe(2.5);
    expect(parsed.args.flag("exit")).toBe(true);
  });

  it("documents every flag it declares in its usage", () => {
    expect(TOOLMESH.undocumentedFlags()).toEqual([]);
  });
});

describe("toolmesh as a process", () => {
  it("toolmesh CMD --help prints that command's usage, not the overview", async () => {
    const [call, explore] = await Promise.all([toolmesh(["call", "--help"]), toolmesh(["explore-codebase", "-h"])]);
    expect(call.code).toBe(0);
    expect(call.stdout).toMatch(/^usage: toolmesh call TOOL /);
    expect(call.stdout).toContain("--timeout-ms N");
    expect(call.stdout).not.toContain("toolmesh up");
    expect(explore.code).toBe(0);
    expect(explore.stdout).toMatch(/^usage: toolmesh explore-codebase PATH/);
    expect(explore.stdout).toContain("--root NAME");
    expect(explore.stdout).toContain("TOOLMESH_RENDER=markdown|terminal");
  });

  it("a flag the command does not take: exit 2, one error line, then that command's usage", async () => {
    const run = await toolmesh(["run", "x.yaml", "--demo"]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
    expect(run.stderr).toMatch(
      /^error: toolmesh run does not take --demo\n\nusage: toolmesh run FILE \[--json\] \[--address HOST:PORT\] \[--tls-ca FILE\]\n/,
    );
    expect(run.stderr).not.toContain("toolmesh call");
  });

  it("toolmesh --help lists every command; an unknown command is exit 2", async () => {
    const [help, unknown, bare] = await Promise.all([toolmesh(["--help"]), toolmesh(["nope"]), toolmesh([])]);
    expect(help.code).toBe(0);
    for (const name of ["up", "status", "down", "run", "call", "explore-codebase", "explore-web", "think-layers", "start", "top"]) {
      expect(help.stdout).toMatch(new RegExp(`^  toolmesh ${name}\\b`, "m"));
    }
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command "nope"\n/);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("toolmesh COMMAND --help");
  });
});
