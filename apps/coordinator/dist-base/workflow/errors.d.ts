/** A parent reference without the capability of the running agent.run attempt it names. */
export declare class ParentDeniedError extends Error {
    readonly name = "ParentDeniedError";
}
export declare class WorkflowNotFoundError extends Error {
    readonly name = "WorkflowNotFoundError";
    readonly workflowId: string;
    constructor(workflowId: string);
}
