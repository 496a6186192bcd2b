/** A workflow spec that cannot run; the message says what to fix. */
export class InvalidSpecError extends Error {
  override readonly name = "InvalidSpecError";
}

export class WorkflowNotFoundError extends Error {
  override readonly name = "WorkflowNotFoundError";
  readonly workflowId: string;
  constructor(workflowId: string) {
    super(`no workflow with id "${workflowId}" (finished workflows are kept for a limited time)`);
    this.workflowId = workflowId;
  }
}
