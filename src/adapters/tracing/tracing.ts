import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/** Tracing as the edge and the store use it; nothing global is registered. */
export interface Tracing {
  /** Whether spans are recorded and exported (false: only incoming trace ids are kept, for logs). */
  readonly enabled: boolean;
  /** Starts the server span of an RPC under the caller's `traceparent`. */
  startRpc(name: string, headers: Headers, attributes: Record<string, string>): { span: Span | undefined; context: Context; traceId: string | undefined };
  /** Runs `fn` with `context` active, so store spans become its children. */
  run<T>(context: Context, fn: () => T): T;
  /** Starts a client span under the active context (undefined when disabled). */
  startChild(name: string, attributes: Record<string, string>): Span | undefined;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
  keys: (carrier: Headers) => [...carrier.keys()],
};

/** Ends a span with the outcome of the call it measured. */
export function endSpan(span: Span | undefined, attributes: Record<string, string | number>, serverFault: boolean): void {
  if (!span) return;
  span.setAttributes(attributes);
  if (serverFault) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * Tracing from the standard OTEL_* variables: an OTLP (protobuf over HTTP)
 * exporter when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * is set and OTEL_TRACES_EXPORTER is not "none"; `exporter` (tests) overrides.
 * Disabled, it records nothing and only reads `traceparent` for the logs.
 */
export async function createTracing(env: Record<string, string | undefined>, exporter?: SpanExporter): Promise<Tracing> {
  const contexts = new AsyncLocalStorageContextManager().enable();
  const wanted = env.OTEL_TRACES_EXPORTER !== "none" && Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  let tracer: Tracer | undefined;
  let provider: NodeTracerProvider | undefined;
  if (exporter || wanted) {
    // The SDK loads only when spans are recorded: a start without tracing skips it.
    const [{ resourceFromAttributes }, { BatchSpanProcessor, SimpleSpanProcessor }, { NodeTracerProvider }, { OTLPTraceExporter }] = await Promise.all([
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace-base"),
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/exporter-trace-otlp-proto"),
    ]);
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? "personsvc" }),
      spanProcessors: [exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(new OTLPTraceExporter())],
    });
    tracer = provider.getTracer("personsvc");
  }
  return {
    enabled: tracer !== undefined,
    startRpc(name, headers, attributes) {
      const parent = headers.has("traceparent") ? propagator.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
      if (!tracer) return { span: undefined, context: parent, traceId: trace.getSpanContext(parent)?.traceId };
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
      return { span, context: trace.setSpan(parent, span), traceId: span.spanContext().traceId };
    },
    run: (context, fn) => (tracer ? contexts.with(context, fn) : fn()),
    startChild(name, attributes) {
      return tracer?.startSpan(name, { kind: SpanKind.CLIENT, attributes }, contexts.active());
    },
    async shutdown() {
      await provider?.shutdown();
      contexts.disable();
    },
  };
}
