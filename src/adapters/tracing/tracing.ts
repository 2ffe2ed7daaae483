import type { Context, Span } from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";

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
  /** Ends a span with the outcome of the call it measured (`serverFault`: its status is ERROR). */
  endSpan(span: Span | undefined, attributes: Record<string, string | number>, serverFault: boolean): void;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

/** W3C trace context: version-traceid-parentid-flags, ids not all zeros, version ff invalid, version 00 with nothing after. */
const traceparentPattern = /^\s?(?!ff)([\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/;

/** The trace id of a `traceparent` header, as OpenTelemetry's W3C propagator reads it (undefined: none or invalid). */
export function traceIdOf(traceparent: string | null): string | undefined {
  const match = traceparent === null ? null : traceparentPattern.exec(traceparent);
  if (match === null || (match[1] === "00" && match[5] !== undefined)) return undefined;
  return match[2];
}

const noContext = Object.freeze({}) as Context;

/** Tracing off: no spans, no OpenTelemetry loaded; the caller's trace id is still read for the logs. */
function createTraceIdsOnly(): Tracing {
  return {
    enabled: false,
    startRpc: (_name, headers) => ({ span: undefined, context: noContext, traceId: traceIdOf(headers.get("traceparent")) }),
    run: (_context, fn) => fn(),
    startChild: () => undefined,
    endSpan: () => {},
    shutdown: async () => {},
  };
}

/**
 * Tracing from the standard OTEL_* variables: an OTLP (protobuf over HTTP)
 * exporter when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * is set and OTEL_TRACES_EXPORTER is not "none"; `exporter` (tests) overrides.
 * Disabled, it records nothing, only reads `traceparent` for the logs, and
 * loads none of OpenTelemetry.
 */
export async function createTracing(env: Record<string, string | undefined>, exporter?: SpanExporter): Promise<Tracing> {
  const wanted = env.OTEL_TRACES_EXPORTER !== "none" && Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!exporter && !wanted) return createTraceIdsOnly();
  const { createOtelTracing } = await import("./otel-tracing.ts");
  return createOtelTracing(env, exporter);
}
