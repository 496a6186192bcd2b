import { RuntimeCatalog } from "@toolmesh/catalog";
import { useRuntimeTools } from "@toolmesh/tools";
/**
 * Run-time tools (MCP pools' upstream tools) as the coordinator knows them:
 * every engine follows TM_CATALOG, and the catalog lookups of
 * @toolmesh/tools (getTool, parseToolArgs: spec validation, placeholder
 * fills, CallTool's argument check) consult what the engines learned. So a
 * task naming `fs.read_file` is accepted once an instance of mcp-fs has
 * published it, checked against the upstream's JSON Schema, and routed to
 * pool mcp-fs; an unknown `fs.nope` stays INVALID_ARGUMENT naming the tool.
 * A set, not one catalog: tests run several coordinators in one process.
 */
const following = new Set();
useRuntimeTools({
    get(name) {
        for (const catalog of following) {
            const spec = catalog.get(name);
            if (spec)
                return spec;
        }
        return undefined;
    },
    list() {
        const byName = new Map();
        for (const catalog of following)
            for (const spec of catalog.list())
                byName.set(spec.name, spec);
        return [...byName.values()];
    },
});
/** Follows TM_CATALOG until the returned function is called; resolves once the stored tools are known. */
export async function followRuntimeTools(nc, log) {
    const catalog = await RuntimeCatalog.watch(nc, log);
    following.add(catalog);
    return () => {
        catalog.stop();
        following.delete(catalog);
    };
}
/** Every run-time tool known now, by name (for listings such as ListTools). */
export function runtimeToolEntries() {
    const byName = new Map();
    for (const catalog of following)
        for (const entry of catalog.entries())
            byName.set(entry.name, entry);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
//# sourceMappingURL=runtime-tools.js.map