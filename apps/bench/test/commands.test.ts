import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CommandSpec } from "@toolmesh/command-line";
import { describe, expect, it } from "vitest";
import { BENCH } from "../src/commands.js";
import { BENCH_DEFAULTS } from "../src/options.js";

const benchBin = fileURLToPath(new URL("../bin/toolmesh-bench.js", import.meta.url));
const command = (name: string): CommandSpec => BENCH.commands.find((c) => c.name === name)!;

/** The built `toolmesh-bench` as a real process; only --help and bad command lines here, so nothing starts. */
function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [benchBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("the benchmarks", () => {
  it("finds the subcommands, else the default benchmark", () => {
    expect(BENCH.find(["explore", "src"])).toEqual({ command: command("explore"), rest: ["src"] });
    expect(BENCH.find(["--rounds", "10"])).toEqual({ command: command(""), rest: ["--rounds", "10"] });
    expect(BENCH.find([])).toEqual({ command: command(""), rest: [] });
  });

  it("each takes only its own flags", () => {
    expect(() => BENCH.parse(command("adaptive"), ["--rounds", "3"])).toThrow("toolmesh-bench adaptive does not take --rounds");
    expect(() => BENCH.parse(command("mcp"), ["--max-files", "3"])).toThrow("toolmesh-bench mcp does not take --max-files");
  });

  it("documents every flag it declares in its usage", () => {
    expect(BENCH.undocumentedFlags()).toEqual([]);
  });
});

describe("toolmesh-bench as a process", () => {
  it("--help prints that benchmark's usage", async () => {
    const [all, explore] = await Promise.all([bench(["--help"]), bench(["explore", "--help"])]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^usage: toolmesh-bench \[--rounds N\]/);
    expect(all.stdout).toContain("toolmesh-bench explore --help");
    // The defaults it prints are the ones it runs with (options.ts).
    expect(all.stdout).toContain(`--rounds N            measured rounds (${BENCH_DEFAULTS.rounds})`);
    expect(all.stdout).toContain(`--redis URL           BullMQ's Redis (${BENCH_DEFAULTS.redisUrl})`);
    expect(explore.code).toBe(0);
    expect(explore.stdout).toMatch(/^usage: toolmesh-bench explore \[PATH\]/);
  });

  it("a command line it cannot run: exit 2, one error line, then its usage", async () => {
    const [explore, defaults] = await Promise.all([bench(["explore", "a", "b"]), bench(["--rounds", "1.5"])]);
    expect(explore).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: toolmesh-bench explore takes at most one PATH\n\n${BENCH.usage(command("explore"))}`,
    });
    expect(explore.stderr.split("\n")[2]).toBe("usage: toolmesh-bench explore [PATH] [--question TEXT] [--max-files N]");
    expect(defaults.code).toBe(2);
    expect(defaults.stderr).toMatch(/^error: --rounds must be a whole number, got "1.5"\n\nusage: toolmesh-bench \[--rounds N\]/);
  });
});
