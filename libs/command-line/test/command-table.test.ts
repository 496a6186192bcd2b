import { describe, expect, it } from "vitest";
import { CommandTable, UsageError, type CommandArgs, type CommandOutput, type CommandSpec } from "../src/index.js";

const seen: CommandArgs[] = [];
const keep = async (args: CommandArgs): Promise<number> => {
  seen.push(args);
  return 0;
};

const DEFAULT: CommandSpec = {
  name: "",
  synopsis: "[--count N]",
  usage: "Counts.\n\n  --count N   how many",
  flags: { count: { type: "string" } },
  async run(args) {
    args.none();
    return 0;
  },
};
const GO: CommandSpec = {
  name: "go",
  synopsis: "go FILE [--json] [--tag T]... [--wait S] [-n NAME]",
  usage: "Goes.\n\n  --json\n  --tag T\n  --wait S\n  -n, --name NAME",
  flags: {
    json: { type: "boolean" },
    tag: { type: "string", multiple: true },
    wait: { type: "string" },
    name: { type: "string", short: "n" },
  },
  // The positionals' count as the exit code, to see it come back from run.
  run: async (args) => args.positionals.length,
};
const GO_FAST: CommandSpec = { name: "go fast", synopsis: "go fast", usage: "Goes fast.", flags: {}, run: keep };
const STRICT: CommandSpec = {
  name: "strict",
  synopsis: "strict",
  usage: "Refuses.",
  flags: {},
  async run() {
    throw new UsageError("strict wants nothing at all");
  },
};
const CRASH: CommandSpec = {
  name: "crash",
  synopsis: "crash",
  usage: "Crashes.",
  flags: {},
  async run() {
    throw new Error("boom");
  },
};

const prog = new CommandTable("prog", [DEFAULT, GO, GO_FAST, STRICT, CRASH]);
const noDefault = new CommandTable("tool", [GO, GO_FAST]);

function args(table: CommandTable, command: CommandSpec, argv: string[]): CommandArgs {
  const parsed = table.parse(command, argv);
  if (parsed.help) throw new Error("unexpected help");
  return parsed.args;
}

function captured(): CommandOutput & { out: string; err: string } {
  const output = {
    out: "",
    err: "",
    stdout: (text: string) => void (output.out += text),
    stderr: (text: string) => void (output.err += text),
  };
  return output;
}

describe("finding the command", () => {
  it("tries two words before one, and passes on what follows the name", () => {
    expect(prog.find(["go", "fast", "x"])).toEqual({ command: GO_FAST, rest: ["x"] });
    expect(prog.find(["go", "slow"])).toEqual({ command: GO, rest: ["slow"] });
    expect(noDefault.find(["go"])).toEqual({ command: GO, rest: [] });
  });

  it("falls back to the default command with the whole command line, else finds nothing", () => {
    expect(prog.find(["--count", "3"])).toEqual({ command: DEFAULT, rest: ["--count", "3"] });
    expect(prog.find([])).toEqual({ command: DEFAULT, rest: [] });
    expect(noDefault.find(["nope"])).toBeUndefined();
    expect(noDefault.find([])).toBeUndefined();
  });

  it("names a command with its program, and gives its usage under its synopsis", () => {
    expect(prog.fullName(GO)).toBe("prog go");
    expect(prog.fullName(DEFAULT)).toBe("prog");
    expect(prog.synopsis(DEFAULT)).toBe("prog [--count N]");
    expect(prog.usage(GO_FAST)).toBe("usage: prog go fast\n\nGoes fast.\n");
  });

  it("lists the flags a usage does not mention", () => {
    expect(prog.undocumentedFlags()).toEqual([]);
    const quiet: CommandSpec = { ...GO_FAST, flags: { quiet: { type: "boolean" } } };
    expect(new CommandTable("tool", [GO, quiet]).undocumentedFlags()).toEqual(["tool go fast --quiet"]);
  });
});

describe("parsing a command's own flags", () => {
  it("rejects a flag the command does not declare, naming it as typed", () => {
    expect(() => prog.parse(GO, ["x", "--count", "3"])).toThrow(new UsageError("prog go does not take --count"));
    expect(() => prog.parse(GO, ["x", "-q"])).toThrow(new UsageError("prog go does not take -q"));
    expect(() => prog.parse(DEFAULT, ["--json=yes"])).toThrow(new UsageError("prog does not take --json"));
  });

  it("says which flag lacks its value, and which takes none", () => {
    expect(() => prog.parse(GO, ["x", "--wait"])).toThrow(new UsageError("prog go: --wait needs a value"));
    expect(() => prog.parse(GO, ["x", "-n"])).toThrow(new UsageError("prog go: --name needs a value"));
    expect(() => prog.parse(GO, ["x", "--json=yes"])).toThrow(new UsageError("prog go: --json takes no value"));
  });

  it("--help or -h anywhere asks for the usage, even after a flag it does not take", () => {
    expect(prog.parse(GO, ["x", "--help"])).toEqual({ help: true });
    expect(prog.parse(GO, ["--count", "3", "-h"])).toEqual({ help: true });
    expect(prog.parse(DEFAULT, ["-h", "extra"])).toEqual({ help: true });
  });

  it("gives the flags it declares through typed accessors", () => {
    const go = args(prog, GO, ["a", "--tag", "x", "--json", "--tag", "y", "-n", "n1", "b", "--wait", "2.5"]);
    expect(go.command).toBe("go");
    expect(go.fullName).toBe("prog go");
    expect(go.positionals).toEqual(["a", "b"]);
    expect(go.strings("tag")).toEqual(["x", "y"]);
    expect(go.string("name")).toBe("n1");
    expect(go.flag("json")).toBe(true);
    expect(go.seconds("wait")).toBe(2.5);
    const bare = args(prog, GO, []);
    expect([bare.strings("tag"), bare.string("name"), bare.flag("json"), bare.seconds("wait")]).toEqual([
      undefined,
      undefined,
      false,
      undefined,
    ]);
  });

  it("checks numbers", () => {
    expect(args(prog, DEFAULT, ["--count", "7"]).wholeNumber("count")).toBe(7);
    expect(args(prog, DEFAULT, []).wholeNumber("count")).toBeUndefined();
    for (const bad of ["1.5", "-1", " ", "x"]) {
      expect(() => args(prog, DEFAULT, [`--count=${bad}`]).wholeNumber("count")).toThrow(
        new UsageError(`--count must be a whole number, got "${bad}"`),
      );
    }
    expect(() => args(prog, GO, ["--wait", "0"]).seconds("wait")).toThrow(
      new UsageError('--wait must be a number of seconds > 0, got "0"'),
    );
  });

  it("none() refuses positionals, naming the command", () => {
    expect(() => args(prog, DEFAULT, ["extra", "more"]).none()).toThrow(new UsageError('prog takes no arguments, got "extra more"'));
    expect(() => args(prog, GO_FAST, ["x"]).none()).toThrow(new UsageError('prog go fast takes no arguments, got "x"'));
    expect(() => args(prog, GO_FAST, []).none()).not.toThrow();
  });
});

describe("running a command", () => {
  it("--help: the usage on stdout, exit 0, and the command does not run", async () => {
    const output = captured();
    seen.length = 0;
    expect(await prog.run(GO_FAST, ["--help"], output)).toBe(0);
    expect(output).toMatchObject({ out: prog.usage(GO_FAST), err: "" });
    expect(seen).toEqual([]);
  });

  it("resolves to the command's exit code", async () => {
    const output = captured();
    expect(await prog.run(GO, ["a", "b", "c"], output)).toBe(3);
    expect(output).toMatchObject({ out: "", err: "" });
  });

  it("a usage error, from parsing or from the command: one error line, the usage on stderr, exit 2", async () => {
    const badFlag = captured();
    expect(await prog.run(GO, ["--count"], badFlag)).toBe(2);
    expect(badFlag).toMatchObject({ out: "", err: `error: prog go does not take --count\n\n${prog.usage(GO)}` });
    const refused = captured();
    expect(await prog.run(STRICT, [], refused)).toBe(2);
    expect(refused.err).toBe(`error: strict wants nothing at all\n\nusage: prog strict\n\nRefuses.\n`);
  });

  it("leaves any other error to the caller", async () => {
    const output = captured();
    await expect(prog.run(CRASH, [], output)).rejects.toThrow("boom");
    expect(output).toMatchObject({ out: "", err: "" });
  });
});
