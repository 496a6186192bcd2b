import {
  ROOT_CONTEXT,
  context,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { MsgHdrs } from "@nats-io/transport-node";
import { createRequire } from "node:module";
import { otlpSpanExporter } from "./trace-exporter.js";
import { traceResource } from "./trace-resource.js";
import type { OtlpTraceExport } from "./tracing-config.js";

// The tracing SDK and its exporter are required only when spans are recorded:
// they are ~8 MB resident in every process, and by default nothing records.
const require = createRequire(import.meta.url);

export interface TracingOptions {
  /** Where spans go over OTLP (otlpTraceExport makes it from the validated environment); batched. */
  otlp?: OtlpTraceExport | undefined;
  /** Extra exporter, flushed per span: tests pass an InMemorySpanExporter. */
  exporter?: SpanExporter;
  /** service.instance.id of the resource (a worker's own instance id). */
  instanceId?: string | undefined;
}

let provider: NodeTracerProvider | undefined;

/**
 * Registers the process-wide tracer provider once (W3C trace-context
 * propagation, AsyncLocalStorage context, the resource of trace-resource.ts).
 * Later calls in the same process (several services started in one test)
 * reuse the first provider.
 *
 * With nowhere to export spans, only the W3C propagator is registered: trace
 * context still flows through gRPC and NATS (callers' trace ids reach the
 * workers), but no span is recorded. Recording spans nobody reads cost ~40 %
 * of throughput in the benchmark.
 */
export function initTracing(service: string, options: TracingOptions = {}): NodeTracerProvider | undefined {
  if (provider) return provider;
  if (!options.exporter && !options.otlp) {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    return undefined;
  }
  const { BatchSpanProcessor, SimpleSpanProcessor } =
    require("@opentelemetry/sdk-trace-base") as typeof import("@opentelemetry/sdk-trace-base");
  const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node") as typeof import("@opentelemetry/sdk-trace-node");
  const spanProcessors: SpanProcessor[] = [];
  if (options.exporter) spanProcessors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlp) spanProcessors.push(new BatchSpanProcessor(otlpSpanExporter(options.otlp)));
  provider = new NodeTracerProvider({
    resource: traceResource({ service, instanceId: options.instanceId }),
    spanProcessors,
  });
  provider.register();
  return provider;
}

/**
 * Whether spans are recorded (a provider exports them). When not, the
 * messaging spans skip their names and attributes (tens of microseconds a
 * call on the hot path) and only carry the caller's trace context on.
 */
export function tracingRecorded(): boolean {
  return provider !== undefined;
}

export async function shutdownTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  await current?.shutdown();
}

export function tracer(name: string): Tracer {
  return trace.getTracer(name);
}

const natsSetter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
const natsGetter: TextMapGetter<MsgHdrs> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  keys: (carrier) => carrier.keys(),
};

/** Writes the active (or given) context's traceparent into NATS headers. */
export function injectTrace(headers: MsgHdrs, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, natsSetter);
}

/** The remote context carried in NATS headers, or the root context. */
export function extractTrace(headers: MsgHdrs | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, natsGetter) : ROOT_CONTEXT;
}

/** Same as injectTrace/extractTrace for a plain string map (gRPC metadata). */
export function injectTraceMap(carrier: Record<string, string>, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier);
}
export function extractTraceMap(carrier: Record<string, string>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}
