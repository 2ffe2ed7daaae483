import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { Tracing } from "./tracing.ts";

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
  keys: (carrier: Headers) => [...carrier.keys()],
};

/**
 * Tracing with the OpenTelemetry SDK, loaded (by createTracing) only when
 * spans are recorded: an OTLP (protobuf over HTTP) exporter behind a batch
 * processor, or `exporter` (tests) behind a simple one.
 */
export function createOtelTracing(env: Record<string, string | undefined>, exporter?: SpanExporter): Tracing {
  const contexts = new AsyncLocalStorageContextManager().enable();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? "personsvc" }),
    spanProcessors: [exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  const tracer = provider.getTracer("personsvc");
  return {
    enabled: true,
    startRpc(name, headers, attributes) {
      const parent = headers.has("traceparent") ? propagator.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
      return { span, context: trace.setSpan(parent, span), traceId: span.spanContext().traceId };
    },
    run: (context, fn) => contexts.with(context, fn),
    startChild(name, attributes) {
      return tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, contexts.active());
    },
    endSpan(span, attributes, serverFault) {
      if (!span) return;
      span.setAttributes(attributes);
      if (serverFault) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
    async shutdown() {
      await provider.shutdown();
      contexts.disable();
    },
  };
}
