/**
 * @toolmesh/proto — the generated gRPC API (ts-proto output in gen/, rebuilt
 * by `npm run build`, never edited), the path of the .proto sources, and the
 * compiled descriptors (dist/descriptors.binpb, built by buf) the coordinator
 * serves over gRPC server reflection.
 *
 *   import { CoordinatorClient, WorkflowSpec } from "@toolmesh/proto";
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { readFileSync } from "node:fs";
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
  ExpandTemplateRequest,
} from "../gen/toolmesh/v1/coordinator.js";
export type {
  CallToolRequest,
  BatchedAnswer,
  BatchedCall,
  CallToolsRequest,
  CallToolsResponse,
  CancelWorkflowRequest,
  CancelWorkflowResponse,
  CancelTaskRequest,
  CancelTaskResponse,
  CallToolResponse,
  ExpandTemplateResponse,
  GetCapacityResponse,
  GetTaskOutputResponse,
  GetWorkflowResponse,
  RunTemplateResponse,
  WatchWorkflowResponse,
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

/**
 * The FileDescriptorSet buf compiled at build time: toolmesh/v1/coordinator.proto,
 * google/protobuf/struct.proto, grpc/health/v1/health.proto and the
 * grpc/reflection/{v1,v1alpha}/reflection.proto files, under their real names.
 */
export const descriptorSetFile: string = join(protoRoot, "dist", "descriptors.binpb");

/** Each file of the descriptor set as its serialized FileDescriptorProto, bytes exactly as buf wrote them. */
export function fileDescriptorProtos(path: string = descriptorSetFile): Buffer[] {
  let set: Buffer;
  try {
    set = readFileSync(path);
  } catch (err) {
    throw new Error(
      `the compiled descriptors ${path} cannot be read (${(err as Error).message}): build them with \`npm run build\` in proto/`,
      { cause: err },
    );
  }
  const reader = new BinaryReader(set);
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    // FileDescriptorSet has one field: `repeated FileDescriptorProto file = 1`.
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType, field);
  }
  return files;
}
