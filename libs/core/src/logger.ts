import { context, isSpanContextValid, trace } from "@opentelemetry/api";
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * The active span's ids on every line logged inside it, under the names the
 * OpenTelemetry pino instrumentation uses, so a log line joins its trace.
 * Outside a span (or with tracing off: no context manager, no active span)
 * a line carries none.
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ids = span.spanContext();
  if (!isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId, trace_flags: `0${ids.traceFlags.toString(16)}` };
}

/** JSON logs on stderr, or appended to `file` (a service run inside another process, such as `up`'s gateway). */
export function createLogger(service: string, level = "info", file?: string): Logger {
  return pino(
    { name: service, level, base: { service, pid: process.pid }, mixin: traceLogFields },
    pino.destination(file ? { dest: file, append: true, mkdir: true } : 2),
  );
}
