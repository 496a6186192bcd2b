/**
 * @toolmesh/core — what every toolmesh service shares: configuration from the
 * environment, errors, structured logs, bus subjects and wire messages, NATS
 * and JetStream set-up, Prometheus metrics and OpenTelemetry tracing.
 *
 *   const config = loadConfig("codebase", baseConfigSchema);
 *   const nc = await connectNats(config, "codebase");
 */
export { baseConfigSchema, commaList, loadConfig } from "./config.js";
export { jetStreamReplicas, jsReplicasSchema } from "./js-replicas.js";
export type { BaseConfig } from "./config.js";
export { grpcClientTlsEnv, readTlsFiles } from "./grpc-tls.js";
export type { PemFileSetting, TlsFiles } from "./grpc-tls.js";
export { ConfigError, ErrorCode, ToolError, abortedError, isErrorCode } from "./errors.js";
export type { ToolErrorShape } from "./errors.js";
export { exitWithParent, onShutdown, runMain } from "./lifecycle.js";
export { LiveSnapshots } from "./live-snapshots.js";
export { createLogger, traceLogFields } from "./logger.js";
export type { Logger } from "./logger.js";
export { SERVICE_LABEL, createRegistry, serveMetrics } from "./metrics.js";
export type { MetricsServer } from "./metrics.js";
export {
  connectNats,
  ensureEventStream,
  ensurePoolConsumer,
  ensurePoolStream,
  ensureResultConsumer,
  removeUnpartitionedResultConsumer,
  ensureResultStream,
  isJetStreamApiError,
} from "./nats.js";
export { attemptKey, ensureAttemptsBucket, openAttemptsBucket } from "./attempts.js";
export { publishUntilStored } from "./publish-retry.js";
export { PubAckPublisher } from "./pub-acks.js";
export { batchNatsWrites } from "./nats-writes.js";
export type { PublishRetryOptions } from "./publish-retry.js";
export {
  Buckets,
  generateRoleCredentials,
  natsRolePermissions,
  poolRole,
  poolService,
  renderAuthorization,
  roleEnv,
  roleInboxPrefix,
} from "./nats-roles.js";
export type { NatsRole, RoleCredentials, RolePermissions } from "./nats-roles.js";
export { NATS_AUTH_CONFIG, POOL_CREDENTIALS_SUBDIR, readRoleCredentials, roleCredentialsFile, writeNatsAuth } from "./nats-auth-files.js";
export type { NatsAuthFiles } from "./nats-auth-files.js";
export { OUTPUTS_BUCKET, getOutput, openOutputStore, outputObjectName, putOutput } from "./outputs.js";
export type { ObjectStore, OutputRef } from "./outputs.js";
export { mcpPoolsSchema, mcpServerSchema, parseMcpFlag, parseMcpPools } from "./mcp-pools.js";
export type { McpPoolsConfig, McpServerConfig } from "./mcp-pools.js";
export {
  MCP_NAME,
  MCP_POOL_LIMITS,
  MCP_POOL_PREFIX,
  NATIVE_POOLS,
  POOLS,
  isMcpPool,
  isNativePool,
  isPoolName,
  knownPools,
  mcpNameProblem,
  mcpPoolName,
  poolDefinition,
  poolOfTool,
  registerPool,
  workerPool,
} from "./pools.js";
export type { McpPoolName, NativePoolName, PoolDefinition, PoolName } from "./pools.js";
export { POOL_TABLE, WORKER_POOLS, placementOf, runsInCoordinator } from "./pool-table.js";
export type { CoordinatorToolsName, CoordinatorToolsRow, PoolRow, ReplicaBounds, ToolPlacement, WorkerPoolRow } from "./pool-table.js";
export { Bus, Consumers, SUBJECT_TOKEN, Streams, Subjects, resultRoute } from "./subjects.js";
export { extractTrace, extractTraceMap, initTracing, injectTrace, injectTraceMap, shutdownTracing, tracer } from "./telemetry.js";
export type { TracingOptions } from "./telemetry.js";
export { DEFAULT_OTLP_PROTOCOL, OTLP_PROTOCOLS, otlpTraceExport, tracingEnvShape } from "./tracing-config.js";
export type { OtlpProtocol, OtlpTraceExport, TracingEnv } from "./tracing-config.js";
export { TOOLMESH_VERSION, traceResource } from "./trace-resource.js";
export { endRpcSpan, splitHostPort, startRpcSpan } from "./rpc-spans.js";
export type { RpcSpanOptions } from "./rpc-spans.js";
export { startProcessSpan, startPublishSpan } from "./messaging-spans.js";
export type { Destination, PublishSpan } from "./messaging-spans.js";
export { canonicalUrl } from "./urls.js";
export { TERMINAL_WORKFLOW_EVENTS, decodeJson, encodeJson } from "./wire.js";
export {
  DEFAULT_MAX_PAYLOAD,
  DUPLICATE_WINDOW_MS,
  INLINE_OUTPUT_BYTES,
  MAX_OUTPUT_BYTES,
  GRPC_MAX_MESSAGE_BYTES,
  PUBLISH_RETRY,
  RESEND_WINDOW_MS,
  RESULT_ENVELOPE_BYTES,
  TASK_HEADER_ROOM_BYTES,
  TASK_ROOM_BYTES,
  inlineOutputLimit,
  maxPayloadOf,
  maxTaskArgsBytes,
  maxTaskMessageBytes,
  resultMsgId,
  taskMsgId,
} from "./wire-limits.js";
export type {
  CancelCommand,
  CommandReply,
  EventKind,
  EventMessage,
  LimitChangeEvent,
  MetricsSnapshot,
  ScaleEvent,
  ResultMessage,
  SetLimitCommand,
  TaskMessage,
} from "./wire.js";
export { compileSafeRegex } from "./safe-regex.js";
export type { SafeRegex, SafeRegexOptions } from "./safe-regex.js";
export { ROOT_NAME, checkUniqueRootNames, parseRootSpecs, realDirectory } from "./roots.js";
export type { RootSpec } from "./roots.js";
