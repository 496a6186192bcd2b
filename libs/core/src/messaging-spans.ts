import {
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPLATE,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MessagingOperation,
} from "./semconv.js";
import { extractTrace, injectTrace, tracer, tracingRecorded } from "./telemetry.js";

/** Not recorded: the span a context already holds (a caller's, carried on), or an invalid one. */
const carried = (ctx: Context): Span => trace.getSpan(ctx) ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Where a message goes: the subject itself, and its template when the
 * subject holds an id (tm.data.result.p3.<workflow>): spans are named after
 * the template, so span names stay few while the attribute keeps the subject.
 */
export interface Destination {
  subject: string;
  template?: string;
}

function destinationAttributes(dest: Destination, operation: string, name: string): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: "nats",
    [ATTR_MESSAGING_DESTINATION_NAME]: dest.subject,
    ...(dest.template ? { [ATTR_MESSAGING_DESTINATION_TEMPLATE]: dest.template } : {}),
    [ATTR_MESSAGING_OPERATION_TYPE]: operation,
    [ATTR_MESSAGING_OPERATION_NAME]: name,
  };
}

/** A PRODUCER span with the headers that carry it: the consumer's span continues this one. */
export interface PublishSpan {
  span: Span;
  /** The message's headers with the span's trace context (made on first read). */
  readonly headers: MsgHdrs;
  /** Ends the span, with an error status when the publish failed. */
  end(err?: unknown): void;
}

/**
 * Starts the PRODUCER span of one NATS publish ("publish <template>") under
 * `parent`, and returns headers with its trace context for the message.
 */
export function startPublishSpan(dest: Destination, parent: Context = context.active(), bodyBytes?: number): PublishSpan {
  const span = !tracingRecorded()
    ? carried(parent)
    : tracer("toolmesh-nats").startSpan(
        `publish ${dest.template ?? dest.subject}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            ...destinationAttributes(dest, MessagingOperation.send, "publish"),
            ...(bodyBytes !== undefined ? { [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: bodyBytes } : {}),
          },
        },
        parent,
      );
  let headers: MsgHdrs | undefined;
  return {
    span,
    // Made on first use: a quiet call's reply sends none unless the span is recorded.
    get headers() {
      if (!headers) {
        headers = natsHeaders();
        // No trace to carry (nothing recorded, no caller's trace): the propagator would write nothing.
        if (isSpanContextValid(span.spanContext())) injectTrace(headers, trace.setSpan(parent, span));
      }
      return headers;
    },
    end: (err?: unknown) => {
      if (err !== undefined)
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : JSON.stringify(err) });
      span.end();
    },
  };
}

/**
 * A CONSUMER span for handling one delivered message ("process <template>"),
 * a child of the producer's span carried in its headers; its context is the
 * one to run the handling in.
 */
export function startProcessSpan(
  dest: Destination,
  headers: MsgHdrs | undefined,
  options: { consumerGroup?: string; attributes?: Attributes | (() => Attributes); name?: string } = {},
): { span: Span; ctx: Context } {
  const parent = extractTrace(headers);
  if (!tracingRecorded()) return { span: carried(parent), ctx: parent };
  const extra = typeof options.attributes === "function" ? options.attributes() : options.attributes;
  const span = tracer("toolmesh-nats").startSpan(
    options.name ?? `process ${dest.template ?? dest.subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...destinationAttributes(dest, MessagingOperation.process, "process"),
        ...(options.consumerGroup ? { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: options.consumerGroup } : {}),
        ...extra,
      },
    },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}
