import { type ToolErrorShape } from "@toolmesh/core";
import type { TaskRecord } from "./task-record.js";
/** Why a fan-out of `items` may not start: it would take the workflow past limits.maxCalls. */
export declare function overCallLimit(items: number, calls: number, maxCalls: number): ToolErrorShape | undefined;
/**
 * One task per item, id "<parent>[<index>]": the parent's spec without its
 * forEach and dependencies (the parent already joined them), arguments still
 * to be filled with the item.
 */
export declare function itemTasks(parent: TaskRecord, items: readonly unknown[]): TaskRecord[];
/** A failed fan-out's error: a deadline's, else the first failed item's code. */
export declare function fanOutFailure(items: readonly TaskRecord[], reason: string, deadlinePassed: boolean): ToolErrorShape;
type Output = Record<string, unknown>;
/** A fan-out task's output as kept in memory: one entry per item (large outputs as references) and counts. */
export declare function storedFanOutOutput(task: TaskRecord, items: readonly TaskRecord[], storedOutput: (item: TaskRecord) => Output | undefined): Output;
/** A fan-out task's full output: as stored, but with every succeeded item's output loaded. */
export declare function loadedFanOutOutput(task: TaskRecord, items: readonly TaskRecord[], outputOf: (item: TaskRecord) => Promise<Output | undefined>): Promise<Output>;
export {};
