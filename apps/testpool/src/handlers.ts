import { ErrorCode, ToolError, isErrorCode } from "@toolmesh/core";
import { defineHandler, testEcho, testFail, testSleep, type ToolHandlers } from "@toolmesh/tools";

/** Handlers of the `test` pool's tools (see @toolmesh/tools test-tools). */
export const testHandlers: ToolHandlers = {
  "test.echo": defineHandler(testEcho, async (args) => ({
    value: args.value ?? null,
    ...(args.padBytes ? { pad: "x".repeat(args.padBytes) } : {}),
  })),
  "test.sleep": defineHandler(
    testSleep,
    (args, ctx) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve({ sleptMs: args.ms, value: args.value ?? null }), args.ms);
        if (args.ignoreSignal) return;
        ctx.signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            reject(ctx.signal.reason);
          },
          { once: true },
        );
      }),
  ),
  "test.fail": defineHandler(testFail, async (args, ctx) => {
    const succeedOn = args.succeedOnAttempt;
    if (succeedOn !== undefined && ctx.attempt >= succeedOn) return { attempt: ctx.attempt };
    const code = isErrorCode(args.code) ? args.code : ErrorCode.INTERNAL;
    throw new ToolError(code, args.message);
  }),
};
