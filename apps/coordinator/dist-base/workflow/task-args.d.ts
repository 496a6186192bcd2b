import type { TaskRecord } from "./task-record.js";
/**
 * Fills placeholders into spec.args from the item and the dependencies'
 * outputs in memory, and checks them with the tool's schema. Done once:
 * they do not change between attempts. Throws when a placeholder cannot be filled.
 */
export declare function fillArgs(task: TaskRecord, tasks: ReadonlyMap<string, TaskRecord>): void;
/** As fillArgs, after loading referenced outputs that live in the object store. */
export declare function loadAndFillArgs(task: TaskRecord, tasks: ReadonlyMap<string, TaskRecord>, outputOf: (task: TaskRecord) => Promise<Record<string, unknown> | undefined>): Promise<Record<string, unknown>>;
