import { test } from "node:test";
import assert from "node:assert/strict";
import { create, type Message } from "@bufbuild/protobuf";
import { createContextValues, createHandlerContext, createServiceImplSpec, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { invokeUnaryImplementation } from "@connectrpc/connect/protocol";
import { GetPersonRequestSchema, PersonService } from "../../gen/person/v1/person_pb.js";
import { invokeUnary } from "../../src/adapters/connect/fast-lane/invoke-unary.ts";
import type { UnaryRoute } from "../../src/adapters/connect/rpc-router.ts";

// The fast lane's invokeUnary against connect-es's invokeUnaryImplementation:
// the same interceptors and implementation, run by both, must see and return
// the same things.

type Seen = { order: string[]; requestKeys?: string[]; implHeader?: string | null; implValue?: unknown; sameContext?: boolean };

function contextOf(): HandlerContext {
  return createHandlerContext({
    service: PersonService,
    method: PersonService.method.getPerson,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://x/person.v1.PersonService/GetPerson",
    requestHeader: new Headers({ "x-in": "client" }),
    responseHeader: { "x-out": "service" },
    contextValues: createContextValues(),
  });
}

/** Runs one scenario through `invoke`, returning what the interceptors and the implementation saw, the output and the response headers. */
async function run(
  invoke: typeof invokeUnary,
  impl: (req: Message, ctx: HandlerContext) => unknown,
  interceptors: (seen: Seen) => Interceptor[],
) {
  const seen: Seen = { order: [] };
  const context = contextOf();
  const spec = createServiceImplSpec(PersonService, {
    getPerson: (req: Message, ctx: HandlerContext) => {
      seen.order.push("impl");
      seen.implHeader = ctx.requestHeader.get("x-in");
      seen.sameContext = ctx.signal === context.signal && ctx.values === context.values;
      return impl(req, ctx) as never;
    },
  } as never).methods.getPerson as UnaryRoute["spec"];
  const input = create(GetPersonRequestSchema, { id: "p1" });
  const outcome = await invoke(spec, context, input, interceptors(seen)).then(
    (message) => ({ message }),
    (error: unknown) => ({ error: String(error) }),
  );
  return { seen, outcome, header: [...context.responseHeader], trailer: [...context.responseTrailer] };
}

const scenarios: Array<[string, (req: Message, ctx: HandlerContext) => unknown, (seen: Seen) => Interceptor[]]> = [
  ["no interceptors, a partial output (normalized)", () => ({ person: { id: "p1", firstName: "Ada" } }), () => []],
  [
    "interceptors run outermost first and see the request's fields",
    async () => ({ person: { id: "p1" } }),
    (seen) => [
      (next) => async (req) => {
        seen.order.push("outer");
        seen.requestKeys = Object.keys(req);
        return next(req);
      },
      (next) => async (req) => {
        seen.order.push("inner");
        return next(req);
      },
    ],
  ],
  [
    "an interceptor that changes the request's headers and values: the implementation sees them",
    (_req, ctx) => {
      ctx.responseHeader.set("x-impl", "1");
      return { person: { id: String(ctx.values.get({ id: Symbol.for("k"), defaultValue: "none" })) } };
    },
    () => [(next) => (req) => next({ ...req, header: new Headers({ "x-in": "changed" }), contextValues: createContextValues() })],
  ],
  [
    "an interceptor that answers with headers and trailers of its own: they replace the call's",
    () => ({}),
    () => [
      (next) => async (req) => {
        const res = await next(req);
        return { ...res, header: new Headers({ "x-replaced": "yes" }), trailer: new Headers({ "x-trailer": "t" }) };
      },
    ],
  ],
  ["an implementation that throws at once", () => {
    throw new Error("sync failure");
  }, () => []],
  ["an implementation that rejects, through an interceptor", async () => Promise.reject(new Error("async failure")), () => [(next) => async (req) => next(req)]],
];

for (const [name, impl, interceptors] of scenarios) {
  test(`invokeUnary as connect-es: ${name}`, async () => {
    const stock = await run(invokeUnaryImplementation as typeof invokeUnary, impl, interceptors);
    const lane = await run(invokeUnary, impl, interceptors);
    const { sameContext: stockSame, ...stockSeen } = stock.seen;
    const { sameContext: laneSame, ...laneSeen } = lane.seen;
    assert.deepEqual(laneSeen, stockSeen);
    assert.equal(laneSame, stockSame);
    assert.deepEqual(lane.outcome, stock.outcome);
    assert.deepEqual(lane.header, stock.header);
    assert.deepEqual(lane.trailer, stock.trailer);
  });
}
