/**
 * @toolmesh/catalog — tools learned at run time: MCP pools' upstream tools
 * in the TM_CATALOG KV bucket (written by the pools' workers, watched by the
 * coordinator), each checked against its upstream's JSON Schema.
 *
 *   const catalog = await RuntimeCatalog.watch(nc, log);
 *   useRuntimeTools(catalog); // getTool/parseToolArgs of @toolmesh/tools now know fs.read_file
 */
export { CATALOG_BUCKET, CATALOG_KEY, runtimeToolName } from "./entry.js";
export type { JsonSchema, RuntimeToolEntry } from "./entry.js";
export { jsonSchemaArgs } from "./json-args.js";
export { RuntimeCatalog, openCatalog, publishPoolTools } from "./runtime-catalog.js";
