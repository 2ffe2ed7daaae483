/**
 * Baseline 1: the least a server can do for the same proto. node:http2 (h2c)
 * and node:http, decode the request with @bufbuild/protobuf, look the person
 * up in a Map, encode the reply. No framework, no validation, no logging.
 * Usage: node scripts/bench/bare-server.ts <h2c-port> <http1-port>
 */
import http from "node:http";
import http2 from "node:http2";
import { create, fromBinary, fromJsonString, toBinary, toJsonString } from "@bufbuild/protobuf";
import { frame, GetPersonRequestSchema, GetPersonResponseSchema, people } from "./fixtures.ts";
import { PersonSchema } from "../../gen/person/v1/person_pb.js";

const db = people();
const [h2Port, h1Port] = process.argv.slice(2).map(Number);
const path = "/person.v1.PersonService/GetPerson";

function reply(id: string) {
  return create(GetPersonResponseSchema, { person: db.get(id) });
}

function readBody(req: http.IncomingMessage | http2.Http2ServerRequest, done: (body: Buffer) => void) {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

function handle(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) {
  const type = String(req.headers["content-type"] ?? "");
  if (req.method === "GET" && req.url?.startsWith("/api/v1/person/")) {
    const person = db.get(req.url.slice("/api/v1/person/".length));
    (res as http.ServerResponse).writeHead(200, { "content-type": "application/json" });
    res.end(toJsonString(PersonSchema, person!));
    return;
  }
  if (req.url !== path) {
    (res as http.ServerResponse).writeHead(404).end();
    return;
  }
  readBody(req, (body) => {
    if (type === "application/grpc" || type === "application/grpc+proto") {
      const request = fromBinary(GetPersonRequestSchema, body.subarray(5));
      (res as http2.Http2ServerResponse).writeHead(200, { "content-type": "application/grpc" });
      (res as http2.Http2ServerResponse).addTrailers({ "grpc-status": "0" });
      res.end(frame(toBinary(GetPersonResponseSchema, reply(request.id))));
    } else if (type.startsWith("application/grpc-web")) {
      const request = fromBinary(GetPersonRequestSchema, body.subarray(5));
      (res as http.ServerResponse).writeHead(200, { "content-type": "application/grpc-web+proto" });
      res.end(Buffer.concat([frame(toBinary(GetPersonResponseSchema, reply(request.id))), frame(Buffer.from("grpc-status: 0\r\n"), 0x80)]));
    } else if (type === "application/proto") {
      const request = fromBinary(GetPersonRequestSchema, body);
      (res as http.ServerResponse).writeHead(200, { "content-type": "application/proto" });
      res.end(toBinary(GetPersonResponseSchema, reply(request.id)));
    } else {
      const request = fromJsonString(GetPersonRequestSchema, body.toString());
      (res as http.ServerResponse).writeHead(200, { "content-type": "application/json" });
      res.end(toJsonString(GetPersonResponseSchema, reply(request.id)));
    }
  });
}

http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, handle).listen(h2Port, "127.0.0.1");
http.createServer({ keepAliveTimeout: 65_000 }, handle).listen(h1Port, "127.0.0.1", () => console.log("ready"));
