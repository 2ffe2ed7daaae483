import { test } from "node:test";
import assert from "node:assert/strict";
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { traceIdOf } from "../../src/adapters/tracing/tracing.ts";

const id = "4bf92f3577b34da6a3ce929d0e0e4736";
const parent = "00f067aa0ba902b7";

test("with tracing off, the trace id is read from traceparent exactly as OpenTelemetry's W3C propagator reads it", () => {
  const propagator = new W3CTraceContextPropagator();
  const cases = [
    `00-${id}-${parent}-01`,
    `00-${id}-${parent}-00`,
    ` 00-${id}-${parent}-01 `,
    `00-${id}-${parent}-01-extra`,
    `01-${id}-${parent}-01-future-fields`,
    `ff-${id}-${parent}-01`,
    `00-${"0".repeat(32)}-${parent}-01`,
    `00-${id}-${"0".repeat(16)}-01`,
    `00-${id.toUpperCase()}-${parent}-01`,
    `00-${id}-${parent}`,
    `00-${id.slice(1)}-${parent}-01`,
    "garbage",
    "",
  ];
  for (const value of cases) {
    const context = propagator.extract(ROOT_CONTEXT, { traceparent: value }, { get: (c, k) => c[k as "traceparent"], keys: (c) => Object.keys(c) });
    const expected = trace.getSpanContext(context)?.traceId;
    assert.equal(traceIdOf(value), expected, JSON.stringify(value));
  }
  assert.equal(traceIdOf(null), undefined);
  assert.equal(traceIdOf(`00-${id}-${parent}-01`), id, "a valid header is not refused");
});
