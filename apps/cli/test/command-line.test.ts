import { describe, expect, it } from "vitest";
import { UsageError, parseCommand, type CommandSpec } from "../src/command-line.js";
import { COMMANDS, findCommand } from "../src/command-table.js";
import { toolmesh } from "./support/cli.js";

const command = (name: string): CommandSpec => COMMANDS.find((c) => c.name === name)!;

describe("each command's own flags", () => {
  it("finds commands", () => {
    expect(findCommand(["status"])?.spec.name).toBe("status");
    expect(findCommand(["nope"])).toBeUndefined();
  });

  it("rejects a flag the command does not declare, naming it as typed", () => {
    expect(() => parseCommand(command("run"), ["x.yaml", "--demo"])).toThrow(new UsageError("toolmesh run does not take --demo"));
    expect(() => parseCommand(command("up"), ["--json"])).toThrow("toolmesh up does not take --json");
    expect(() => parseCommand(command("call"), ["t", "-q"])).toThrow("toolmesh call does not take -q");
    expect(() => parseCommand(command("status"), ["--timeout=3"])).toThrow(new UsageError("toolmesh status does not take --timeout"));
    // Flags that used to be global belong to their command now.
    expect(() => parseCommand(command("explore-web"), ["q", "--root", "a"])).toThrow("toolmesh explore-web does not take --root");
    expect(() => parseCommand(command("top"), ["--address", "x"])).toThrow("toolmesh top does not take --address");
  });

  it("says which flag lacks its value, and which takes none", () => {
    expect(() => parseCommand(command("call"), ["t", "--args"])).toThrow("toolmesh call: --args needs a value");
    expect(() => parseCommand(command("run"), ["f", "--json=yes"])).toThrow("toolmesh run: --json takes no value");
  });

  it("parses what it declares, and --help or -h anywhere asks for the usage", () => {
    const parsed = parseCommand(command("up"), ["--root", "a=/x", "--root", ".", "--ready-timeout", "2.5", "--exit"]);
    expect(parsed.help).toBe(false);
    if (parsed.help) return;
    expect(parsed.args.strings("root")).toEqual(["a=/x", "."]);
    expect(parsed.args.seconds("ready-timeout")).toBe(2.5);
    expect(parsed.args.flag("exit")).toBe(true);
    expect(parsed.args.flag("demo")).toBe(false);
    expect(parsed.args.wholeNumber("grpc-port")).toBeUndefined();
    expect(parseCommand(command("run"), ["--demo", "-h"])).toEqual({ help: true });
  });

  it("checks numbers", () => {
    const parsed = parseCommand(command("down"), ["--timeout", "0"]);
    if (parsed.help) throw new Error("unexpected help");
    expect(() => parsed.args.seconds("timeout")).toThrow("--timeout must be a number of seconds > 0");
    const top = parseCommand(command("top"), ["--refresh", "1.5"]);
    if (top.help) throw new Error("unexpected help");
    expect(() => top.args.wholeNumber("refresh")).toThrow('--refresh must be a whole number, got "1.5"');
  });

  it("documents every flag it declares in its usage", () => {
    for (const spec of COMMANDS) {
      for (const flag of Object.keys(spec.flags)) expect(`${spec.name}: ${spec.usage}`).toContain(`--${flag}`);
    }
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
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const [first, blank, usage] = run.stderr.split("\n");
    expect(first).toBe("error: toolmesh run does not take --demo");
    expect(blank).toBe("");
    expect(usage).toBe("usage: toolmesh run FILE [--json] [--address HOST:PORT] [--tls-ca FILE]");
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
