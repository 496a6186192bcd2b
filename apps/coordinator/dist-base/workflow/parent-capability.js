import { timingSafeEqual } from "node:crypto";
import { ParentDeniedError } from "./errors.js";
/**
 * A ParentRef is honoured only from the agent.run attempt it names: the task
 * is queued or running and the ref carries the capability minted for its
 * current attempt. Otherwise PERMISSION_DENIED naming the field.
 */
export function checkParentCapability(parent, ref) {
    const task = parent.tasks.get(ref.taskId);
    if (!task || task.spec.tool !== "agent.run" || (task.state !== "queued" && task.state !== "running")) {
        throw new ParentDeniedError(`parent.taskId "${ref.taskId}" is not a running agent.run task of workflow ${parent.id}: only a running agent may attach a child workflow`);
    }
    const want = Buffer.from(task.capability ?? "");
    const got = Buffer.from(ref.capability);
    if (!ref.capability || want.length === 0 || want.length !== got.length || !timingSafeEqual(want, got)) {
        throw new ParentDeniedError(`parent.capability ${ref.capability ? "does not match" : "is missing"}: only the running agent.run attempt of ${parent.id}/${ref.taskId} may attach a child workflow, with the capability from its task message`);
    }
}
//# sourceMappingURL=parent-capability.js.map