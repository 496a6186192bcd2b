import { chmodSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { privateStateDir, stackGrpcToken } from "../src/up/secrets.js";
import { tempDir } from "./support/cli.js";

describe("up's token and state directory", () => {
  it("a fresh token each run unless TOOLMESH_GRPC_TOKEN gives one (an empty one counts as unset)", () => {
    const first = stackGrpcToken({});
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stackGrpcToken({ TOOLMESH_GRPC_TOKEN: "" })).not.toBe(first);
    expect(stackGrpcToken({ TOOLMESH_GRPC_TOKEN: "the-operators-own-token" })).toBe("the-operators-own-token");
  });

  it("makes the directory 0700, tightens a loose .toolmesh, and only warns about a directory it does not own the naming of", () => {
    const fresh = join(tempDir(), "a", ".toolmesh");
    privateStateDir(fresh, () => expect.fail("no warning for a new directory"));
    expect(statSync(fresh).mode & 0o777).toBe(0o700);

    const loose = join(tempDir(), ".toolmesh");
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    privateStateDir(loose, () => expect.fail("no warning for a .toolmesh it tightens"));
    expect(statSync(loose).mode & 0o777).toBe(0o700);

    const shared = tempDir();
    chmodSync(shared, 0o755);
    const warnings: string[] = [];
    privateStateDir(shared, (line) => warnings.push(line));
    expect(statSync(shared).mode & 0o777).toBe(0o755);
    expect(warnings).toEqual([expect.stringMatching(/open to other users \(mode 755\).*stack\.json stays 0600/)]);
  });
});
