/**
 * @toolmesh/proto — the generated gRPC API (ts-proto output in gen/, rebuilt
 * by `npm run build`, never edited) plus the path of the .proto sources, which
 * the coordinator loads to serve gRPC server reflection.
 *
 *   import { CoordinatorClient, WorkflowSpec } from "@toolmesh/proto";
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export {
  CoordinatorClient,
  CoordinatorService,
  EventType,
  FanInMode,
  fanInModeToJSON,
  TaskState,
  WorkflowState,
  eventTypeToJSON,
  taskStateToJSON,
  workflowStateToJSON,
  WorkflowSpec,
  TaskSpec,
  Workflow,
  WorkflowEvent,
  TaskStatus,
  RunTemplateRequest,
} from "../gen/toolmesh/v1/coordinator.js";
export type {
  CallToolRequest,
  CallToolsRequest,
  CallToolsResponse,
  CancelWorkflowRequest,
  CancelWorkflowResponse,
  Capacity,
  CoordinatorServer,
  GetCapacityRequest,
  GetWorkflowRequest,
  ListWorkflowsRequest,
  ListWorkflowsResponse,
  FanIn,
  ForEach,
  GetTaskOutputRequest,
  ListToolsRequest,
  ListToolsResponse,
  ParentRef,
  ToolInfo,
  WorkflowLimits,
  PoolCapacity,
  RetryPolicy,
  SubmitWorkflowRequest,
  SubmitWorkflowResponse,
  TaskError,
  WatchWorkflowRequest,
  WorkflowSummary,
} from "../gen/toolmesh/v1/coordinator.js";

/** Directory holding toolmesh/v1/*.proto (the include root for proto-loader). */
export const protoRoot: string = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The coordinator's .proto file, relative to protoRoot. */
export const coordinatorProtoFile = "toolmesh/v1/coordinator.proto";
