import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createInfoLineWriter, createLogger } from "../../src/adapters/http/logger.ts";

function capture(level: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

const withoutTime = (line: string) => line.replace(/"time":"[^"]+"/, '"time":"T"');

test("the fast info line is byte for byte the line pino writes for the same fields (but the time)", async () => {
  const { logger, lines } = capture("info");
  const fields = { requestId: 'a"b\\c\u2028', traceId: "4bf92f3577b34da6a3ce929d0e0e4736", procedure: "person.v1.PersonService/GetPerson", protocol: "grpc", httpStatus: 200, durationMs: 0.123456 };
  logger.info(fields, "rpc");
  createInfoLineWriter(logger, "rpc")(JSON.stringify(fields).slice(1, -1));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(lines.length, 2);
  assert.equal(withoutTime(lines[1]!), withoutTime(lines[0]!));
  assert.match(JSON.parse(lines[1]!).time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test("the fast info line is not written when info is not enabled", async () => {
  const { logger, lines } = capture("warn");
  createInfoLineWriter(logger, "rpc")('"a":1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(lines, []);
});

test("the fast info line carries the current time, also when lines follow each other within a millisecond and across one", async () => {
  const { logger, lines } = capture("info");
  const write = createInfoLineWriter(logger, "rpc");
  const before = Date.now();
  write('"a":1');
  write('"a":2');
  await new Promise((resolve) => setTimeout(resolve, 5));
  const middle = Date.now();
  write('"a":3');
  const after = Date.now();
  await new Promise((resolve) => setImmediate(resolve));
  const times = lines.map((l) => Date.parse(JSON.parse(l).time));
  assert.equal(times.length, 3);
  assert.ok(times[0]! >= before && times[1]! >= times[0]! && times[1]! < middle, JSON.stringify(times));
  assert.ok(times[2]! >= middle && times[2]! <= after, JSON.stringify(times));
});
