import { z } from "zod";

/** OTLP's three transports (OTEL_EXPORTER_OTLP_PROTOCOL), the spec's names. */
export const OTLP_PROTOCOLS = ["grpc", "http/protobuf", "http/json"] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The specification's default, and the OpenTelemetry JS exporters' too. */
export const DEFAULT_OTLP_PROTOCOL: OtlpProtocol = "http/protobuf";

/**
 * OTEL_RESOURCE_ATTRIBUTES as the specification has it: `key=value` pairs,
 * comma-separated, values percent-encoded. The SDK's envDetector would drop
 * a malformed list with a diagnostic nobody sees; here it stops start-up.
 */
const resourceAttributes = z.string().superRefine((value, ctx) => {
  for (const pair of value.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0 || pair.slice(0, eq).trim() === "") {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${pair}" is not key=value` });
      continue;
    }
    try {
      decodeURIComponent(pair.slice(eq + 1));
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${pair}": the value is not valid percent-encoding` });
    }
  }
});

/**
 * The OpenTelemetry SDK's standard variables toolmesh reads (the exporters
 * and detectors read them too; they are validated here so a typo fails at
 * start-up instead of silently exporting nothing). Defaults in
 * docs/architecture.md, "Observability".
 */
export const tracingEnvShape = {
  /** OTLP base endpoint for every signal; unset (and no _TRACES_ one): spans are not recorded at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** Endpoint for spans alone, used as given (no /v1/traces appended). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  /** "none" turns span export off whatever the endpoint says (the SDK's spelling). */
  OTEL_TRACES_EXPORTER: z.enum(["otlp", "none"]).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: resourceAttributes.optional(),
};

export type TracingEnv = { [K in keyof typeof tracingEnvShape]: z.infer<(typeof tracingEnvShape)[K]> };

/** Where and how spans leave the process. */
export interface OtlpTraceExport {
  protocol: OtlpProtocol;
  /** The full URL: .../v1/traces for HTTP, host:port as a URL for gRPC. */
  url: string;
}

/**
 * The export a validated config asks for, resolved the way the
 * specification says: the _TRACES_ variables win over the generic ones; a
 * generic HTTP endpoint gets /v1/traces appended, a gRPC one is used as is.
 */
export function otlpTraceExport(env: Partial<TracingEnv>): OtlpTraceExport | undefined {
  if (env.OTEL_TRACES_EXPORTER === "none") return undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? DEFAULT_OTLP_PROTOCOL;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return { protocol, url: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT };
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!base) return undefined;
  return { protocol, url: protocol === "grpc" ? base : `${base.replace(/\/$/, "")}/v1/traces` };
}
