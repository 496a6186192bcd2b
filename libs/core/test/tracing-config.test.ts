import { ROOT_CONTEXT, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { describe, expect, it } from "vitest";
import { ConfigError, baseConfigSchema, loadConfig, otlpTraceExport, splitHostPort, traceLogFields } from "../src/index.js";

describe("otlpTraceExport", () => {
  it("is off without an endpoint, or with OTEL_TRACES_EXPORTER=none", () => {
    expect(otlpTraceExport({})).toBeUndefined();
    expect(otlpTraceExport({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
  });

  it("defaults to http/protobuf and appends /v1/traces to the generic endpoint", () => {
    expect(otlpTraceExport({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })).toEqual({
      protocol: "http/protobuf",
      url: "http://c:4318/v1/traces",
    });
  });

  it("uses a gRPC endpoint as given, and the _TRACES_ variables over the generic ones", () => {
    expect(otlpTraceExport({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toEqual({
      protocol: "grpc",
      url: "http://c:4317",
    });
    expect(
      otlpTraceExport({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:4318/custom",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      }),
    ).toEqual({ protocol: "http/json", url: "http://t:4318/custom" });
  });

  it("is validated at start-up with every service's config", () => {
    const load = (env: NodeJS.ProcessEnv): unknown => loadConfig("svc", baseConfigSchema, env);
    expect(() => load({ OTEL_EXPORTER_OTLP_PROTOCOL: "thrift" })).toThrow(ConfigError);
    expect(() => load({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url" })).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
    expect(() => load({ OTEL_RESOURCE_ATTRIBUTES: "a=1,=2" })).toThrow(/"=2" is not key=value/);
    expect(() => load({ OTEL_RESOURCE_ATTRIBUTES: "a=%E0%A4%A" })).toThrow(/percent-encoding/);
    expect(load({ OTEL_RESOURCE_ATTRIBUTES: "a=1, b=two%20words", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toMatchObject({
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    });
  });
});

describe("splitHostPort", () => {
  it("reads gRPC targets and peers", () => {
    expect(splitHostPort("127.0.0.1:50051")).toEqual({ address: "127.0.0.1", port: 50051 });
    expect(splitHostPort("[::1]:7")).toEqual({ address: "::1", port: 7 });
    expect(splitHostPort("dns:///coord.svc:50051")).toEqual({ address: "coord.svc", port: 50051 });
    expect(splitHostPort("coordinator")).toEqual({ address: "coordinator" });
  });
});

describe("traceLogFields", () => {
  it("names the active span, and nothing outside one", () => {
    expect(traceLogFields()).toEqual({});
    const ids = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const inside = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(ids));
      expect(context.with(inside, traceLogFields)).toEqual({ trace_id: ids.traceId, span_id: ids.spanId, trace_flags: "01" });
      expect(traceLogFields()).toEqual({});
    } finally {
      context.disable();
    }
  });
});
