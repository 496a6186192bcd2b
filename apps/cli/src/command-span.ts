import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { initTracing, loadConfig, otlpTraceExport, shutdownTracing, tracer, tracingEnvShape } from "@toolmesh/core";
import { z } from "zod";

/** Commands that run until stopped: a span over hours says nothing; their own services trace themselves. */
const LONG_RUNNING = new Set(["up", "mcp", "top"]);

/**
 * Runs one CLI command as one trace: a root span "toolmesh <command>" whose
 * children are the command's gRPC calls (SubmitWorkflow, WatchWorkflow,
 * GetWorkflow...), exported before the process exits. Without an OTLP
 * endpoint in the environment the command just runs; a bad OTEL_* variable
 * is a ConfigError (exit 2), as for the services.
 */
export async function runTraced(command: string, run: () => Promise<number>): Promise<number> {
  if (LONG_RUNNING.has(command)) return run();
  const otlp = otlpTraceExport(loadConfig("toolmesh", z.object(tracingEnvShape)));
  if (!otlp) return run();
  initTracing("toolmesh-cli", { otlp });
  const span = tracer("toolmesh-cli").startSpan(
    `toolmesh ${command}`,
    { kind: SpanKind.INTERNAL, attributes: { "toolmesh.command": command } },
    ROOT_CONTEXT,
  );
  try {
    const code = await context.with(trace.setSpan(ROOT_CONTEXT, span), run);
    span.setAttribute("process.exit.code", code);
    if (code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `exit code ${code}` });
    return code;
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
    await shutdownTracing();
  }
}
