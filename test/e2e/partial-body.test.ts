import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { inFlight, linesOf } from "../support/observed.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

// Clients that send the headers and part of the body, then go away: the call
// ends (CANCELED), is logged once, and nothing stays in flight, on the fast
// lane and on the stock path alike.
let lane: TestServer;
let stock: TestServer;
before(async () => {
  lane = await startTestServer();
  stock = await startTestServer({ FAST_LANE: "off" });
});
after(async () => {
  await lane.close();
  await stock.close();
});

const body = JSON.stringify({ id: "00000000-0000-4000-8000-0000000000bb" });
const head = (requestId: string, length: number) =>
  `POST /person.v1.PersonService/GetPerson HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Request-Id: ${requestId}\r\nContent-Length: ${length}\r\n\r\n`;

/** Writes `bytes` on a new HTTP/1.1 connection, then closes it (or half-closes it first) 150 ms later. */
async function sendThenLeave(server: TestServer, bytes: string, how: "close" | "half-close"): Promise<{ protocol: string }> {
  const socket = net.connect(Number(new URL(server.baseUrl).port), "127.0.0.1");
  socket.on("error", () => {});
  socket.write(bytes);
  await sleep(150);
  if (how === "half-close") {
    socket.end();
    await sleep(100);
  }
  socket.destroy();
  return { protocol: "connect" };
}

/** Sends a gRPC GetPerson's headers and the first bytes of its 45-byte envelope over h2c, then waits 150 ms. */
async function startGrpcThenWait(server: TestServer, requestId: string) {
  const session = http2.connect(server.baseUrl);
  session.on("error", () => {});
  const stream = session.request({ ":method": "POST", ":path": "/person.v1.PersonService/GetPerson", "content-type": "application/grpc", te: "trailers", "x-request-id": requestId });
  stream.on("error", () => {});
  stream.write(Buffer.from([0, 0, 0, 0, 40, 10, 36]));
  await sleep(150);
  return { session, stream };
}

/**
 * Ways to leave mid-body, each given the server and the id the abandoned
 * request carries; each says the protocol it used and the codes its line may
 * carry.
 */
const leavers: Record<string, (server: TestServer, requestId: string) => Promise<{ protocol: string; codes?: string[] }>> = {
  "HTTP/1.1, connection closed": (server, requestId) => sendThenLeave(server, head(requestId, body.length) + body.slice(0, 5), "close"),
  "HTTP/1.1, pipelined behind an answered request, connection closed": (server, requestId) =>
    sendThenLeave(server, head(`${requestId}-first`, body.length) + body + head(requestId, body.length) + body.slice(0, 5), "close"),
  "HTTP/1.1, connection half-closed": (server, requestId) => sendThenLeave(server, head(requestId, body.length) + body.slice(0, 5), "half-close"),
  async "h2c, stream reset"(server, requestId) {
    const { session, stream } = await startGrpcThenWait(server, requestId);
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await sleep(50);
    session.close();
    // Node's client ends the stream (END_STREAM) just before it resets it: a
    // server that answers before the reset arrives rightly sees a body cut
    // mid-envelope (the stock path usually does; the fast lane serves a turn later).
    return { protocol: "grpc", codes: ["canceled", "invalid_argument"] };
  },
  async "h2c, connection closed"(server, requestId) {
    const { session } = await startGrpcThenWait(server, requestId);
    session.socket.destroy();
    return { protocol: "grpc" };
  },
};

for (const [path, server] of [["fast lane", () => lane], ["stock path", () => stock]] as const) {
  for (const [how, leave] of Object.entries(leavers)) {
    test(`a client that leaves mid-body (${path}, ${how}): one CANCELED line, nothing in flight`, async () => {
      const requestId = `mid-body-${path}-${how}`.replace(/[^\w-]+/g, "-");
      const { protocol, codes = ["canceled"] } = await leave(server(), requestId);
      const lines = await linesOf(server(), requestId);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      assert.ok(codes.includes(lines[0]!.code as string), JSON.stringify(lines[0]));
      assert.equal(lines[0]!.lane, path === "fast lane" ? "fast" : "stock");
      assert.equal(await inFlight(server(), protocol), 0);
    });
  }
}
