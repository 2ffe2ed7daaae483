import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import pino from "pino";
import { EchoService } from "../../gen/transcode/v1/transcode_pb.js";
import { createRpcRoutes } from "../../src/adapters/connect/rpc-router.ts";
import { restPlugin } from "../../src/adapters/rest/rest-plugin.ts";
import { compilePathTemplate } from "../../src/adapters/rest/path-template.ts";
import { createRpcObserver } from "../../src/adapters/connect/rpc-observer.ts";
import { createMetrics } from "../../src/adapters/metrics/metrics.ts";
import { createTracing } from "../../src/adapters/tracing/tracing.ts";

// A service the transcoder has never seen, from a test-only proto: nothing in
// src/ knows its routes, so they can only come from its annotations.
let app: FastifyInstance;
let base: string;
before(async () => {
  const { handlers } = createRpcRoutes({
    routes: (router) =>
      router.service(EchoService, {
        getBook: (request) => ({ request }),
        updateBook: (request) => ({ request }),
        searchBooks: (request) => ({ request }),
      }),
    readMaxBytes: 1 << 20,
  });
  app = Fastify();
  const logger = pino({ level: "silent" });
  const observer = createRpcObserver(logger, createMetrics(), await createTracing({}));
  await app.register(restPlugin, { handlers, logger, observer, bodyLimit: 1 << 20, isShuttingDown: () => false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(() => app.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

test("path templates compile to Fastify routes", () => {
  assert.equal(compilePathTemplate("/v1/{shelf.name=shelves/*}/books/{book_id}").fastifyPath, "/v1/shelves/:v0/books/:v1");
  assert.equal(compilePathTemplate("/v1/books:search").fastifyPath, "/v1/books::search");
  assert.equal(compilePathTemplate("/v1/{name=files/**}").fastifyPath, "/v1/files/*");
});

test("nested path variable with a pattern, enum, repeated, bool and int64 query parameters", async () => {
  const res = await call("GET", "/v1/shelves/s1/books/b2?genre=GENRE_FICTION&tags=a&tags=b&includeReviews=true&revision=42");
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.deepEqual(res.json.request, {
    shelf: { name: "shelves/s1" },
    bookId: "b2",
    genre: "GENRE_FICTION",
    tags: ["a", "b"],
    includeReviews: true,
    revision: "42",
  });
});

test("a named body field, a path variable inside it, and repeated enums (by name or number) from the query", async () => {
  const res = await call("PATCH", "/v1/shelves/7/books/b9?genres=GENRE_FICTION&genres=2", { title: "T", genre: "GENRE_HISTORY" });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.deepEqual(res.json.request, {
    shelfId: "7",
    book: { id: "b9", title: "T", genre: "GENRE_HISTORY" },
    genres: ["GENRE_FICTION", "GENRE_HISTORY"],
  });
});

test("custom verb, nested query field (original and JSON names), and an additional binding with body *", async () => {
  const get = await call("GET", "/v1/books:search?tags=x&shelf.name=s&page_size=5");
  assert.deepEqual(get.json.request, { tags: ["x"], shelf: { name: "s" }, pageSize: 5 });
  const post = await call("POST", "/v1/books:search", { tags: ["y"], genre: "GENRE_HISTORY", pageSize: 3 });
  assert.deepEqual(post.json.request, { tags: ["y"], genre: "GENRE_HISTORY", pageSize: 3 });
});

test("bad values are INVALID_ARGUMENT in Connect's error shape", async () => {
  for (const path of [
    "/v1/shelves/s1/books/b2?genre=GENRE_POETRY",
    "/v1/shelves/s1/books/b2?includeReviews=yes",
    "/v1/shelves/s1/books/b2?revision=ten",
    "/v1/shelves/s1/books/b2?nope=1",
    "/v1/shelves/s1/books/b2?bookId=a&bookId=b",
  ]) {
    const res = await call("GET", path);
    assert.equal(res.status, 400, path);
    assert.equal(res.json.code, "invalid_argument", path);
    assert.ok(res.json.message, path);
  }
});
