import { type TaskRecord } from "./task-record.js";
export type WorkflowStateName = "running" | "succeeded" | "failed" | "cancelled";
export type Completion = {
    state: "succeeded";
} | {
    state: "failed";
    error: string;
};
/**
 * Undefined while any task can still move. Otherwise a task that did not
 * succeed fails the workflow unless every task that depends on it joined
 * tolerantly (not "all") and succeeded anyway; fan-out items count through
 * their parent, and a task cancelled as unneeded does not count against it.
 */
export declare function completion(tasks: Iterable<TaskRecord>, dependentsOf: (taskId: string) => TaskRecord[]): Completion | undefined;
