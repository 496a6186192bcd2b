import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const PROTO_DIR = fileURLToPath(new URL("./otlp-proto", import.meta.url));
const SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";
const KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;
const STATUS = ["UNSET", "OK", "ERROR"] as const;

/** One received span, flattened: ids in hex, attributes and its resource's attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: (typeof KINDS)[number];
  status: (typeof STATUS)[number];
  statusMessage: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  /** How it arrived: "grpc", "http/protobuf" or "http/json". */
  protocol: string;
}

/** A local OTLP trace receiver: the TraceService over gRPC, and POST /v1/traces over HTTP (protobuf or JSON). */
export interface OtlpReceiver {
  grpcEndpoint: string;
  httpEndpoint: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

type Any = Record<string, unknown>;

const definition = protoLoader.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", {
  includeDirs: [PROTO_DIR],
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const exportMethod = (definition[SERVICE] as protoLoader.ServiceDefinition).Export!;

function hex(id: unknown): string {
  if (Buffer.isBuffer(id)) return id.toString("hex");
  return typeof id === "string" ? id.toLowerCase() : "";
}

/** An AnyValue, from the protobuf decoding (oneof `value` names the field) or OTLP/JSON (one field set). */
function anyValue(v: Any | undefined): unknown {
  if (!v) return undefined;
  const field = typeof v.value === "string" ? v.value : Object.keys(v).find((k) => k.endsWith("Value"));
  if (!field) return undefined;
  const value = v[field];
  if (field === "intValue") return Number(value);
  if (field === "arrayValue") return ((value as Any).values as Any[]).map(anyValue);
  return value;
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (list as Any[] | undefined) ?? []) out[kv.key as string] = anyValue(kv.value as Any);
  return out;
}

function enumName<T extends readonly string[]>(names: T, value: unknown, prefix: string): T[number] {
  if (typeof value === "number") return names[value] ?? names[0];
  return String(value).replace(prefix, "") || names[0];
}

/** ExportTraceServiceRequest (decoded either way) → flat spans. */
function flatten(request: Any, protocol: string): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of (request.resourceSpans as Any[] | undefined) ?? []) {
    const resource = attributes((rs.resource as Any | undefined)?.attributes);
    for (const ss of (rs.scopeSpans as Any[] | undefined) ?? []) {
      for (const s of (ss.spans as Any[] | undefined) ?? []) {
        const status = (s.status as Any | undefined) ?? {};
        spans.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name as string,
          kind: enumName(KINDS, s.kind, "SPAN_KIND_"),
          status: enumName(STATUS, status.code ?? 0, "STATUS_CODE_"),
          statusMessage: (status.message as string | undefined) ?? "",
          attributes: attributes(s.attributes),
          resource,
          protocol,
        });
      }
    }
  }
  return spans;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = new grpc.Server();
  server.addService(definition[SERVICE] as grpc.ServiceDefinition, {
    Export: (call: grpc.ServerUnaryCall<Any, Any>, callback: grpc.sendUnaryData<Any>) => {
      spans.push(...flatten(call.request, "grpc"));
      callback(null, {});
    },
  });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  const http = createServer((req, res) => {
    void body(req).then((bytes) => {
      if (req.method !== "POST" || req.url !== "/v1/traces") return res.writeHead(404).end();
      const json = (req.headers["content-type"] ?? "").startsWith("application/json");
      const request = json ? (JSON.parse(bytes.toString("utf8")) as Any) : (exportMethod.requestDeserialize(bytes) as Any);
      spans.push(...flatten(request, json ? "http/json" : "http/protobuf"));
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
      res.end(json ? "{}" : exportMethod.responseSerialize({}));
    });
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return {
    grpcEndpoint: `http://127.0.0.1:${grpcPort}`,
    httpEndpoint: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    spans,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
