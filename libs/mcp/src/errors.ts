/**
 * The errors of @toolmesh/mcp. Neither reaches an MCP client as thrown: a
 * tools/call turns each into an `isError` result (CANCELLED,
 * INVALID_ARGUMENT), as it does a coordinator's gRPC status.
 */

/** The MCP request was cancelled; its workflow was cancelled in toolmesh (CancelWorkflow). */
export class FollowCancelled extends Error {
  override readonly name = "FollowCancelled";
  constructor(readonly workflowId: string) {
    super(`workflow ${workflowId} cancelled by the MCP client`);
  }
}

/** A `workflow` argument that is not a workflow spec; the message names the field. */
export class SpecShapeError extends Error {
  override readonly name = "SpecShapeError";
}
