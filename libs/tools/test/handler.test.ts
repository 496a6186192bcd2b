import { TOOLS, defineHandler, parseToolArgs, testEcho, testSleep, type ToolCallContext } from "@toolmesh/tools";
import { describe, expect, expectTypeOf, it } from "vitest";

const ctx = { signal: new AbortController().signal, attempt: 1 } as ToolCallContext;

describe("defineHandler", () => {
  it("types a handler's arguments and output from its spec, and runs it as a plain ToolHandler", async () => {
    const sleep = defineHandler(testSleep, async (args, context) => {
      expectTypeOf(args.ms).toEqualTypeOf<number>();
      expectTypeOf(args.ignoreSignal).toEqualTypeOf<boolean | undefined>();
      expectTypeOf(context).toEqualTypeOf<ToolCallContext>();
      return { sleptMs: args.ms, value: args.value ?? null };
    });
    expect(await sleep(parseToolArgs("test.sleep", { ms: 5, value: "v" }), ctx)).toEqual({ sleptMs: 5, value: "v" });
    // @ts-expect-error an output its schema does not declare
    defineHandler(testEcho, async () => ({ echoed: 1 }));
  });

  it("every catalog tool declares its output", () => {
    for (const spec of TOOLS.values()) expect(spec.output, spec.name).toBeDefined();
  });
});
