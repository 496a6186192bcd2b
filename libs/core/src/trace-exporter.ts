import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createRequire } from "node:module";
import type { OtlpTraceExport } from "./tracing-config.js";

// Each exporter is loaded only when asked for: the gRPC one brings its own
// channel code, and a process exports over one protocol at most.
const require = createRequire(import.meta.url);

/**
 * The OpenTelemetry exporter for the protocol. Headers, timeout,
 * compression and TLS files (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT,
 * _COMPRESSION, _CERTIFICATE and their _TRACES_ variants) are read by the
 * exporter itself from the environment.
 */
export function otlpSpanExporter(otlp: OtlpTraceExport): SpanExporter {
  switch (otlp.protocol) {
    case "grpc": {
      const { OTLPTraceExporter } =
        require("@opentelemetry/exporter-trace-otlp-grpc") as typeof import("@opentelemetry/exporter-trace-otlp-grpc");
      return new OTLPTraceExporter({ url: otlp.url });
    }
    case "http/protobuf": {
      const { OTLPTraceExporter } =
        require("@opentelemetry/exporter-trace-otlp-proto") as typeof import("@opentelemetry/exporter-trace-otlp-proto");
      return new OTLPTraceExporter({ url: otlp.url });
    }
    case "http/json": {
      const { OTLPTraceExporter } =
        require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http");
      return new OTLPTraceExporter({ url: otlp.url });
    }
  }
}
