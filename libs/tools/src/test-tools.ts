import { z } from "zod";
import { defineTool } from "./spec.js";

/**
 * Tools of the `test` pool: deterministic building blocks for integration
 * tests and the benchmark (no I/O beyond timers).
 */
export const testEcho = defineTool({
  name: "test.echo",
  pool: "test",
  shareable: true,
  description: "Returns its `value` argument unchanged; with `padBytes`, also a string of that many bytes (to test output limits).",
  args: z
    .object({
      value: z.unknown().optional(),
      padBytes: z
        .number()
        .int()
        .min(0)
        .max(64 * 1024 * 1024)
        .optional(),
    })
    .strict(),
  /** `value` is null when none was given. */
  output: z.object({ value: z.unknown(), pad: z.string().optional() }).strict(),
});

export const testSleep = defineTool({
  name: "test.sleep",
  pool: "test",
  shareable: false,
  description: "Waits `ms` milliseconds, then returns; honours cancellation unless `ignoreSignal` (a misbehaving tool).",
  args: z
    .object({ ms: z.number().int().min(0).max(3_600_000), value: z.unknown().optional(), ignoreSignal: z.boolean().optional() })
    .strict(),
  output: z.object({ sleptMs: z.number().int().min(0), value: z.unknown() }).strict(),
});

export const testFail = defineTool({
  name: "test.fail",
  pool: "test",
  shareable: false,
  description: "Fails with `code` and `message`; with `succeedOnAttempt` it succeeds from that attempt on, to exercise retries.",
  args: z
    .object({
      code: z.string().default("UNAVAILABLE"),
      message: z.string().default("test.fail was asked to fail"),
      succeedOnAttempt: z.number().int().min(1).optional(),
    })
    .strict(),
  /** Only from succeedOnAttempt on; it fails before. */
  output: z.object({ attempt: z.number().int().min(1) }).strict(),
});
