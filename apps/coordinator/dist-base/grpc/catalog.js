import { catalogJsonSchemas } from "@toolmesh/tools";
import { runtimeToolEntries } from "../runtime-tools.js";
export function toolInfo(tool) {
    return {
        name: tool.name,
        pool: tool.pool,
        description: tool.description,
        argsSchema: tool.argsSchema,
        outputSchema: tool.outputSchema,
        shareable: tool.shareable,
        destructive: tool.destructive,
        openWorld: tool.openWorld,
    };
}
/** Every tool ListTools lists: the catalog in its order, then run-time tools by name. */
export function listCatalogTools() {
    const runtime = runtimeToolEntries().map((entry) => toolInfo({
        name: entry.name,
        pool: entry.pool,
        description: entry.description,
        argsSchema: entry.inputSchema,
        ...(entry.outputSchema ? { outputSchema: entry.outputSchema } : {}),
        shareable: entry.shareable,
        destructive: entry.destructive,
        openWorld: entry.openWorld,
    }));
    return [...catalogJsonSchemas().map(toolInfo), ...runtime];
}
//# sourceMappingURL=catalog.js.map