/** A workflow spec that cannot run; the message says what to fix. */
export class InvalidSpecError extends Error {
  override readonly name = "InvalidSpecError";
}

/** A spec or an argument too large to accept or to carry on the bus; says the size and the limit. */
export class SpecTooLargeError extends Error {
  override readonly name = "SpecTooLargeError";
  readonly bytes: number;
  readonly limit: number;
  constructor(message: string, bytes: number, limit: number) {
    super(message);
    this.bytes = bytes;
    this.limit = limit;
  }
}

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
