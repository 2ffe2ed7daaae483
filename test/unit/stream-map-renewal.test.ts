import { test } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { createStreamMapRenewal, fullCollections, renewStreamMap } from "../../src/adapters/http/stream-map-renewal.ts";
import { openSessionsOf } from "../../src/adapters/http/open-sessions.ts";
import { collectorOnDemand } from "../../src/adapters/system/runtime-v8-flags.ts";

/** Node's map of a session's open streams, read the way the renewal finds it. */
function streamsOf(session: object): Map<number, unknown> {
  const key = Object.getOwnPropertySymbols(session).find((s) => s.description === "state")!;
  return (session as Record<symbol, { streams: Map<number, unknown> }>)[key]!.streams;
}

/** A collection source the test fires by hand. */
function manualCollections() {
  let listener: (() => void) | undefined;
  let stops = 0;
  return {
    source: (onFull: () => void) => {
      listener = onFull;
      return () => {
        stops++;
        listener = undefined;
      };
    },
    fire: () => listener?.(),
    stops: () => stops,
  };
}

test("renewStreamMap puts a new map of the same class and entries in the session's state", () => {
  class SafeMapLike extends Map<number, string> {}
  const state = { streams: new SafeMapLike([[1, "a"], [3, "b"]]) };
  const session = { [Symbol("state")]: state };
  const before = state.streams;
  assert.equal(renewStreamMap(session), true);
  assert.notEqual(state.streams, before);
  assert.ok(state.streams instanceof SafeMapLike);
  assert.deepEqual([...state.streams], [[1, "a"], [3, "b"]]);
});

test("renewStreamMap changes nothing on a session that does not look like Node's", () => {
  assert.equal(renewStreamMap({}), false, "no state");
  const noMap = { streams: [1, 2] };
  assert.equal(renewStreamMap({ [Symbol("state")]: noMap }), false, "streams is not a map");
  assert.deepEqual(noMap.streams, [1, 2]);
  assert.equal(renewStreamMap({ [Symbol("state")]: "x" }), false, "state is not an object");
  assert.equal(renewStreamMap({ [Symbol("other")]: { streams: new Map() } }), false, "another symbol");
});

test("on Node's HTTP/2: streams open across a renewal are answered, later ones too, and closed ones leave the new map", async () => {
  const collections = manualCollections();
  const renewed: number[] = [];
  const renewal = createStreamMapRenewal({ collections: collections.source, onRenewed: (n) => renewed.push(n) });
  const held: http2.ServerHttp2Stream[] = [];
  const server = http2.createServer();
  renewal.track(openSessionsOf(server));
  let serverSession: http2.ServerHttp2Session | undefined;
  server.on("session", (s) => (serverSession = s));
  server.on("stream", (stream, headers) => {
    const answer = () => {
      stream.respond({ ":status": 200 });
      stream.end(String(headers[":path"]));
    };
    if (headers[":path"] === "/held") held.push(stream);
    else answer();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = client.request({ ":path": path });
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => resolve(body));
      req.on("error", reject);
      req.end();
    });
  try {
    assert.equal(await get("/before"), "/before");
    const waiting = [get("/held"), get("/held"), get("/held")];
    while (held.length < 3) await new Promise((r) => setTimeout(r, 5));
    const before = streamsOf(serverSession!);
    assert.equal(before.size, 3);

    collections.fire();
    assert.deepEqual(renewed, [1], "the one open session was renewed");
    const after = streamsOf(serverSession!);
    assert.notEqual(after, before);
    assert.deepEqual([...after.keys()], [...before.keys()]);

    for (const stream of held) {
      stream.respond({ ":status": 200 });
      stream.end("held");
    }
    assert.deepEqual(await Promise.all(waiting), ["held", "held", "held"]);
    assert.equal(await get("/after"), "/after");
    assert.equal(streamsOf(serverSession!).size, 0, "closed streams were deleted from the new map");
    assert.equal(streamsOf(serverSession!), after);

    client.close();
    await once(serverSession!, "close");
    assert.equal(renewal.renewAll(), 0, "a closed session is no longer tracked");
    collections.fire();
    assert.deepEqual(renewed, [1], "with no session open, nothing is done or reported");
  } finally {
    client.destroy();
    renewal.stop();
    server.close();
  }
  assert.equal(collections.stops(), 1, "stop() stopped watching collections");
});

test("fullCollections reports V8's full collections, and stops when asked", async () => {
  const gc = collectorOnDemand();
  let seen = 0;
  const stop = fullCollections(() => seen++);
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  await sleep(50);
  assert.ok(seen >= 1, "a forced full collection was reported");
  stop();
  const after = seen;
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  await sleep(50);
  assert.equal(seen, after, "nothing is reported once stopped");
});

test("a session unlike Node's is reported once, and the others are still renewed", () => {
  const collections = manualCollections();
  let reports = 0;
  const renewal = createStreamMapRenewal({ collections: collections.source, onUnsupported: () => reports++ });
  const odd = {};
  const state = { streams: new Map([[1, "s"]]) };
  const nodeLike = { [Symbol("state")]: state };
  renewal.track(new Set([odd, nodeLike]));
  const before = state.streams;
  assert.equal(renewal.renewAll(), 1);
  assert.equal(renewal.renewAll(), 1);
  assert.equal(reports, 1);
  assert.notEqual(state.streams, before);
  renewal.stop();
  assert.equal(renewal.renewAll(), 0, "stop() forgets the sessions");
});
