/** A parent reference without the capability of the running agent.run attempt it names. */
export class ParentDeniedError extends Error {
    name = "ParentDeniedError";
}
export class WorkflowNotFoundError extends Error {
    name = "WorkflowNotFoundError";
    workflowId;
    constructor(workflowId) {
        super(`no workflow with id "${workflowId}" (finished workflows are kept for a limited time)`);
        this.workflowId = workflowId;
    }
}
//# sourceMappingURL=errors.js.map