import type { SynthInput } from "@toolmesh/synthesis";
import type { TaskRecord } from "./task-record.js";
/**
 * What a synthesis task reads: the outputs of the tasks in `from` that
 * succeeded, a fan-out's one per succeeded item (with the item it ran on).
 */
export declare function collectSynthInputs(from: readonly string[], tasks: ReadonlyMap<string, TaskRecord>, outputOf: (task: TaskRecord) => Promise<Record<string, unknown> | undefined>): Promise<SynthInput[]>;
