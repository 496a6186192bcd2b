/**
 * Tool names on the wire. Both APIs accept only ^[a-zA-Z0-9_-]{1,64}$, so
 * "code.grep" goes out as "code_grep"; the reverse uses the offered tools'
 * own table rather than guessing which "_" was a dot.
 */
export const WIRE_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function toWireName(tool: string): string {
  const wire = tool.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  if (!WIRE_NAME.test(wire)) throw new Error(`tool name "${tool}" cannot be sent to an LLM API`);
  return wire;
}

/** wire name → catalog name for the tools offered. */
export function wireNameTable(tools: readonly { name: string }[]): ReadonlyMap<string, string> {
  return new Map(tools.map((t) => [toWireName(t.name), t.name]));
}

/** The catalog name of a wire name the model used; an unknown name is kept as is (the loop answers it with an error). */
export function fromWireName(wire: string, table: ReadonlyMap<string, string>): string {
  return table.get(wire) ?? wire;
}
