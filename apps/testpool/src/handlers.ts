import { ErrorCode, ToolError, isErrorCode } from "@toolmesh/core";
import type { ToolHandlers } from "@toolmesh/runtime";

/** Handlers of the `test` pool's tools (see @toolmesh/tools test-tools). */
export const testHandlers: ToolHandlers = {
  "test.echo": async (args) => ({ value: args.value ?? null, ...(args.padBytes ? { pad: "x".repeat(Number(args.padBytes)) } : {}) }),
  "test.sleep": (args, ctx) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ sleptMs: args.ms, value: args.value ?? null }), Number(args.ms));
      if (args.ignoreSignal) return;
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      }, { once: true });
    }),
  "test.fail": async (args, ctx) => {
    const succeedOn = args.succeedOnAttempt as number | undefined;
    if (succeedOn !== undefined && ctx.attempt >= succeedOn) return { attempt: ctx.attempt };
    const code = isErrorCode(args.code) ? args.code : ErrorCode.INTERNAL;
    throw new ToolError(code, String(args.message));
  },
};
