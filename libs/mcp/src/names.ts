/**
 * toolmesh tool names ("code.grep") as MCP tool names ("code_grep"). The
 * strictest MCP clients accept only `^[a-zA-Z0-9_-]{1,64}$`: every other
 * character becomes "_", a name is cut to 64 characters, and a name that is
 * already taken (by a toolmesh-only tool such as `parallel`, or by another
 * tool that maps to the same name: "a.b" and "a_b") gets "_2", "_3"... in
 * list order. Going back is a lookup in the map built from the same list,
 * never a guess: "code_grep" is whatever tool the list mapped to it.
 */
export const MCP_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;

export function mcpNameOf(tool: string): string {
  const plain = tool.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX);
  return plain.length > 0 ? plain : "_";
}

/** The two-way map of one tools/list: MCP name ↔ toolmesh name. */
export class ToolNameMap {
  readonly #toToolmesh = new Map<string, string>();
  readonly #toMcp = new Map<string, string>();

  /** `tools` in list order; `reserved` are names taken already (toolmesh-only tools). */
  constructor(tools: readonly string[], reserved: readonly string[] = []) {
    const taken = new Set(reserved);
    for (const tool of tools) {
      if (this.#toMcp.has(tool)) continue;
      const base = mcpNameOf(tool);
      let name = base;
      for (let n = 2; taken.has(name); n++) {
        const suffix = `_${n}`;
        name = `${base.slice(0, MAX - suffix.length)}${suffix}`;
      }
      taken.add(name);
      this.#toToolmesh.set(name, tool);
      this.#toMcp.set(tool, name);
    }
  }

  /** The toolmesh tool an MCP name stands for, if this list has it. */
  toolmeshName(mcpName: string): string | undefined {
    return this.#toToolmesh.get(mcpName);
  }

  mcpName(tool: string): string | undefined {
    return this.#toMcp.get(tool);
  }

  entries(): Array<[mcpName: string, tool: string]> {
    return [...this.#toToolmesh.entries()];
  }
}
