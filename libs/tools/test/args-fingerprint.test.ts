import { argsFingerprint, getTool, receivedToolArgs, testEcho, testFail } from "@toolmesh/tools";
import type { ToolSpec } from "@toolmesh/tools";
import { describe, expect, it } from "vitest";

const spec = (name: string): ToolSpec => getTool(name)!;

describe("argument schema fingerprints", () => {
  it("are stable per tool and differ between schemas", () => {
    expect(argsFingerprint(spec("test.fail"))).toBe(argsFingerprint(spec("test.fail")));
    expect(argsFingerprint(spec("test.fail"))).not.toBe(argsFingerprint(spec("test.echo")));
    expect(argsFingerprint(spec("test.fail"))).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // The same shape under another name is another schema: a fingerprint never lets one tool's parse pass for another's.
    expect(argsFingerprint({ ...(testEcho as unknown as ToolSpec), name: "test.other" })).not.toBe(argsFingerprint(spec("test.echo")));
  });

  it("let arguments parsed with the same schema through as they are, and parse everything else", () => {
    const parsedBySender = { code: "NOT_FOUND", message: "m" };
    const fingerprint = argsFingerprint(testFail);
    expect(receivedToolArgs("test.fail", parsedBySender, fingerprint)).toBe(parsedBySender);
    // No fingerprint, or another schema's: parsed here (defaults applied, bad ones refused).
    expect(receivedToolArgs("test.fail", {}, undefined)).toEqual({ code: "UNAVAILABLE", message: "test.fail was asked to fail" });
    expect(receivedToolArgs("test.fail", {}, "another-schema00")).toEqual({ code: "UNAVAILABLE", message: "test.fail was asked to fail" });
    expect(() => receivedToolArgs("test.fail", { code: 7 }, argsFingerprint(spec("test.echo")))).toThrow(/bad arguments for test.fail/);
    expect(() => receivedToolArgs("test.nope", {}, fingerprint)).toThrow(/unknown tool "test.nope"/);
  });
});
