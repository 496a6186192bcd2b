/** A parent reference without the capability of the running agent.run attempt it names. */
export class ParentDeniedError extends Error {
  override readonly name = "ParentDeniedError";
}

export class WorkflowNotFoundError extends Error {
  override readonly name = "WorkflowNotFoundError";
  readonly workflowId: string;
  constructor(workflowId: string) {
    super(`no workflow with id "${workflowId}" (finished workflows are kept for a limited time)`);
    this.workflowId = workflowId;
  }
}
