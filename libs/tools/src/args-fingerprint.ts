import { createHash } from "node:crypto";
import { getTool, parseToolArgs } from "./catalog.js";
import { toJsonSchema } from "./json-schema.js";
import type { ToolSpec } from "./spec.js";

const fingerprints = new WeakMap<ToolSpec, string>();

/**
 * A short digest of a tool's argument schema (its JSON Schema). A sender
 * that parsed a call's arguments sends it along; a receiver whose schema has
 * the same digest takes the arguments as they are instead of parsing them a
 * second time (a zod parse per call was a visible share of a worker's CPU).
 * Refinements are not in the JSON Schema: a receiver differing from the
 * sender only in one trusts the sender's check.
 */
export function argsFingerprint(spec: ToolSpec): string {
  let fingerprint = fingerprints.get(spec);
  if (fingerprint === undefined) {
    const schema = JSON.stringify(toJsonSchema(spec.args));
    fingerprint = createHash("sha256").update(`${spec.name}\n${schema}`).digest("base64url").slice(0, 16);
    fingerprints.set(spec, fingerprint);
  }
  return fingerprint;
}

/**
 * `args` for `tool` as its handler takes them: as they came when the sender
 * parsed them with the same schema (`fingerprint`), else parsed here
 * (parseToolArgs: defaults applied, INVALID_ARGUMENT or NOT_FOUND thrown).
 */
export function receivedToolArgs(tool: string, args: Record<string, unknown>, fingerprint: string | undefined): Record<string, unknown> {
  if (fingerprint !== undefined) {
    const spec = getTool(tool);
    if (spec && argsFingerprint(spec) === fingerprint) return args;
  }
  return parseToolArgs(tool, args);
}
