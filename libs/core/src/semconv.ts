/**
 * The OpenTelemetry semantic-convention attributes toolmesh's spans carry.
 * The stable ones come from @opentelemetry/semantic-conventions; the RPC and
 * messaging ones are still "incubating" there, and OpenTelemetry asks users
 * to copy incubating names rather than import them (that entry point may
 * break in a minor release), so they are written out here.
 *
 * RPC comes in two generations. By default spans carry the names most
 * backends and the OpenTelemetry JS gRPC instrumentation use (rpc.system,
 * rpc.service, rpc.method = the bare method, rpc.grpc.status_code = the
 * number) plus the stable ones that do not clash (rpc.system.name,
 * rpc.status_code = the name). OTEL_SEMCONV_STABILITY_OPT_IN=rpc, the
 * specification's migration switch, gives the stable set alone, where
 * rpc.method is the fully qualified "package.Service/Method".
 */
export {
  ATTR_CLIENT_ADDRESS,
  ATTR_CLIENT_PORT,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
} from "@opentelemetry/semantic-conventions";

export const ATTR_RPC_SYSTEM = "rpc.system";
export const ATTR_RPC_SERVICE = "rpc.service";
export const ATTR_RPC_GRPC_STATUS_CODE = "rpc.grpc.status_code";

export const ATTR_MESSAGING_SYSTEM = "messaging.system";
export const ATTR_MESSAGING_DESTINATION_NAME = "messaging.destination.name";
export const ATTR_MESSAGING_DESTINATION_TEMPLATE = "messaging.destination.template";
export const ATTR_MESSAGING_OPERATION_TYPE = "messaging.operation.type";
export const ATTR_MESSAGING_OPERATION_NAME = "messaging.operation.name";
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = "messaging.consumer.group.name";
export const ATTR_MESSAGING_MESSAGE_ID = "messaging.message.id";
export const ATTR_MESSAGING_MESSAGE_BODY_SIZE = "messaging.message.body.size";

/**
 * messaging.operation.type values. "send" is what semantic conventions
 * 1.28+ call a publish (the older value "publish" is deprecated there);
 * messaging.operation.name keeps NATS's own word, "publish".
 */
export const MessagingOperation = { send: "send", receive: "receive", process: "process" } as const;

/** gRPC status codes by number, the names rpc.response.status_code takes. */
export const GRPC_STATUS_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;
