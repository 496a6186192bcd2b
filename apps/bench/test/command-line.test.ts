import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UsageError, findCommand, parseCommand, type BenchCommand } from "../src/command-line.js";
import { BENCH_COMMANDS } from "../src/commands.js";

const benchBin = fileURLToPath(new URL("../bin/toolmesh-bench.js", import.meta.url));
const command = (name: string): BenchCommand => BENCH_COMMANDS.find((c) => c.name === name)!;

/** The built `toolmesh-bench` as a real process; only --help and bad flags here, so nothing starts. */
function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [benchBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("each benchmark's own flags", () => {
  it("finds the subcommands, else the default benchmark", () => {
    expect(findCommand(BENCH_COMMANDS, ["explore", "src"])).toMatchObject({ command: { name: "explore" }, rest: ["src"] });
    expect(findCommand(BENCH_COMMANDS, ["--calls", "10"])).toMatchObject({ command: { name: "" }, rest: ["--calls", "10"] });
    expect(findCommand(BENCH_COMMANDS, [])).toMatchObject({ command: { name: "" }, rest: [] });
  });

  it("rejects a flag the benchmark does not declare, and checks numbers and positionals", () => {
    expect(() => parseCommand(command("adaptive"), ["--calls", "3"])).toThrow(new UsageError("toolmesh-bench adaptive does not take --calls"));
    const parsed = parseCommand(command(""), ["--calls", "1.5", "extra"]);
    if (parsed.help) throw new Error("unexpected help");
    expect(() => parsed.args.wholeNumber("calls")).toThrow('--calls must be a whole number, got "1.5"');
    expect(() => parsed.args.none()).toThrow('toolmesh-bench takes no arguments, got "extra"');
    expect(parseCommand(command("mcp"), ["--reads", "3", "-h"])).toEqual({ help: true });
  });

  it("documents every flag it declares in its usage", () => {
    for (const spec of BENCH_COMMANDS) {
      for (const flag of Object.keys(spec.flags)) expect(`${spec.name}: ${spec.usage}`).toContain(`--${flag}`);
    }
  });
});

describe("toolmesh-bench as a process", () => {
  it("--help prints that benchmark's usage", async () => {
    const [all, explore] = await Promise.all([bench(["--help"]), bench(["explore", "--help"])]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^usage: toolmesh-bench \[--calls N\]/);
    expect(all.stdout).toContain("toolmesh-bench explore --help");
    expect(explore.code).toBe(0);
    expect(explore.stdout).toMatch(/^usage: toolmesh-bench explore \[PATH\]/);
  });

  it("a command line it cannot run: exit 2, one error line, then its usage", async () => {
    const run = await bench(["explore", "a", "b"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const [first, blank, usage] = run.stderr.split("\n");
    expect(first).toBe("error: toolmesh-bench explore takes at most one PATH");
    expect(blank).toBe("");
    expect(usage).toBe("usage: toolmesh-bench explore [PATH] [--question TEXT] [--max-files N]");
  });
});
