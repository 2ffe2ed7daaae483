import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/config.ts";

test("defaults make a working config from an empty environment", () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8080);
  assert.equal(c.STORE, "sqlite");
  assert.equal(c.MAX_REQUEST_BYTES, 1024 * 1024);
  assert.equal(c.SQLITE_PATH, "./data/personsvc.db");
});

test("empty variables count as unset; numbers are parsed", () => {
  const c = loadConfig({ PORT: "", HEADERS_TIMEOUT_MS: "1500" });
  assert.equal(c.PORT, 8080);
  assert.equal(c.HEADERS_TIMEOUT_MS, 1500);
});

test("every bad variable is named, values are never echoed", () => {
  assert.throws(
    () => loadConfig({ PORT: "-1", STORE: "oracle", TLS_KEY_FILE: "/k", SHUTDOWN_TIMEOUT_MS: "s3cr3t" }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      for (const name of ["PORT", "STORE", "TLS_CERT_FILE", "SHUTDOWN_TIMEOUT_MS"]) assert.match(e.message, new RegExp(`${name}: `));
      assert.doesNotMatch(e.message, /s3cr3t/);
      return true;
    },
  );
});

test("V8_PRETENURING: off by default, on or off only", () => {
  assert.equal(loadConfig({}).V8_PRETENURING, "off");
  assert.equal(loadConfig({ V8_PRETENURING: "on" }).V8_PRETENURING, "on");
  assert.throws(() => loadConfig({ V8_PRETENURING: "yes" }), /V8_PRETENURING: /);
});

test("HEAP_GROWING_PERCENT: 100 (2x) by default, 0 leaves V8's own, out of range is refused", () => {
  assert.equal(loadConfig({}).HEAP_GROWING_PERCENT, 100);
  assert.equal(loadConfig({ HEAP_GROWING_PERCENT: "0" }).HEAP_GROWING_PERCENT, 0);
  assert.throws(() => loadConfig({ HEAP_GROWING_PERCENT: "-5" }), /HEAP_GROWING_PERCENT: /);
  assert.throws(() => loadConfig({ HEAP_GROWING_PERCENT: "1.5" }), /HEAP_GROWING_PERCENT: /);
});

test("HTTP2_STREAM_MAP_RENEWAL: on by default, on or off only", () => {
  assert.equal(loadConfig({}).HTTP2_STREAM_MAP_RENEWAL, "on");
  assert.equal(loadConfig({ HTTP2_STREAM_MAP_RENEWAL: "off" }).HTTP2_STREAM_MAP_RENEWAL, "off");
  assert.throws(() => loadConfig({ HTTP2_STREAM_MAP_RENEWAL: "1" }), /HTTP2_STREAM_MAP_RENEWAL: /);
});
