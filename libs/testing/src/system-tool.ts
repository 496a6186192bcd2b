import { spawnSync } from "node:child_process";

/**
 * A program some tests need from the machine (bubblewrap, ripgrep). Where it
 * is missing those tests skip, saying so in one line on stderr; with CI=true
 * they run anyway and fail, because CI installs every such program.
 *
 *   const bwrap = systemTool("bwrap", { package: "bubblewrap", purpose: "the bash pool's sandbox" });
 *   it.skipIf(bwrap.skip)("runs in the sandbox", async () => { bwrap.require(); ... });
 */
export interface SystemTool {
  binary: string;
  available: boolean;
  /** Missing and not in CI: the tests that need it skip (the first read says so on stderr). */
  readonly skip: boolean;
  /** Why the tests skip or fail: the binary, the package that has it, what needs it. */
  reason: string;
  /** Throws the reason when the binary is missing (CI, where the tests run regardless). */
  require(): void;
}

export interface SystemToolOptions {
  /** The Debian package that installs it. */
  package: string;
  /** What toolmesh uses it for. */
  purpose: string;
  /** Arguments that make it print its version and exit 0. */
  versionArgs?: string[];
}

const announced = new Set<string>();

export function inCi(): boolean {
  return process.env.CI === "true" || process.env.CI === "1";
}

export function systemTool(binary: string, options: SystemToolOptions): SystemTool {
  const available = spawnSync(binary, options.versionArgs ?? ["--version"], { stdio: "ignore", timeout: 10_000 }).status === 0;
  const reason = `${binary} (${options.purpose}) is not installed: apt-get install ${options.package}`;
  const skip = !available && !inCi();
  // Said once per test file, when a test first asks whether to skip.
  const announce = (file: string): void => {
    if (available || announced.has(binary)) return;
    announced.add(binary);
    process.stderr.write(
      skip
        ? `SKIPPED tests in ${file} that need ${binary}: ${reason} (with CI=true they fail instead)\n`
        : `FAILING tests in ${file} that need ${binary}: CI=true and ${reason}\n`,
    );
  };
  return {
    binary,
    available,
    get skip() {
      announce(testFileFromStack());
      return skip;
    },
    reason,
    require() {
      if (available) return;
      announce(testFileFromStack());
      throw new Error(`${reason}; CI=true, so the tests that need it fail instead of skipping`);
    },
  };
}

/** The test file that asked (the first *.test.ts frame), for the skip line. */
function testFileFromStack(): string {
  const stack = new Error().stack ?? "";
  const match = /([^\s(]*\.test\.ts)/.exec(stack);
  return match?.[1]?.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "") ?? "this file";
}
