import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { createLightHeaders, nodeHeaderView } from "../../src/adapters/http/light-headers.ts";

/** The same edits applied to a fetch Headers and a light one must read back the same. */
function edit(h: Headers): Headers {
  h.set("Content-Type", "application/grpc");
  h.append("X-Many", "a");
  h.append("x-many", " b ");
  h.set("grpc-status", "0");
  h.set("Accept", "\t*/*  ");
  h.append("b-header", "1");
  h.delete("ACCEPT");
  return h;
}

const dump = (h: Headers) => {
  const seen: string[] = [];
  h.forEach((value, name) => seen.push(`${name}=${value}`));
  return { seen, entries: [...h], keys: [...h.keys()], values: [...h.values()] };
};

test("light headers read back what fetch Headers read back: case, appends, whitespace, deletes, sorted iteration", () => {
  const real = edit(new Headers({ Zeta: "z", alpha: "a" }));
  const light = edit(createLightHeaders({ Zeta: "z", alpha: "a" }));
  assert.deepEqual(dump(light), dump(real));
  for (const name of ["content-type", "X-MANY", "accept", "missing", "zeta"]) {
    assert.equal(light.get(name), real.get(name), name);
    assert.equal(light.has(name), real.has(name), name);
  }
  assert.deepEqual([...new Headers(light)], [...real], "a fetch Headers copies a light one");
  assert.equal(Object.prototype.toString.call(light), "[object Headers]");
});

test("a view of Node's request headers leaves pseudo-headers and prototype names out and copies on write", () => {
  const node: IncomingHttpHeaders = { ":path": "/x", ":method": "POST", "content-type": "application/json", "set-cookie": ["a=1", "b=2"], "x-request-id": "r1" };
  const view = nodeHeaderView(node);
  assert.equal(view.get(":path"), null);
  assert.equal(view.get("Content-Type"), "application/json");
  assert.equal(view.get("set-cookie"), "a=1, b=2");
  assert.equal(view.get("constructor"), null);
  assert.equal(view.has("toString"), false);
  assert.deepEqual([...view.keys()], ["content-type", "set-cookie", "x-request-id"]);
  view.set("x-request-id", "r2");
  view.delete("content-type");
  assert.equal(view.get("x-request-id"), "r2");
  view.append("X-Request-Id", "r3");
  view.append("a-first", "1");
  assert.deepEqual([...view], [["a-first", "1"], ["set-cookie", "a=1, b=2"], ["x-request-id", "r2, r3"]], "sorted after writes");
  assert.equal(view.get("content-type"), null);
  assert.equal(node["x-request-id"], "r1", "Node's object is never written");
  assert.equal(node["content-type"], "application/json");
});

test("forEach visits what was there when it began, as connect-es's copyHeaders relies on (it deletes every name inside forEach)", () => {
  for (const make of [(i: Record<string, string>) => new Headers(i), createLightHeaders]) {
    const h = make({ a: "1", b: "2", c: "3" });
    const seen: string[] = [];
    h.forEach((_, name) => {
      seen.push(name);
      h.delete(name);
      h.set(`${name}z`, "x");
    });
    assert.deepEqual(seen, ["a", "b", "c"]);
    assert.deepEqual([...h.keys()], ["az", "bz", "cz"]);
  }
});
