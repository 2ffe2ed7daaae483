import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLineSink, type SinkIo } from "../../src/adapters/http/line-sink.ts";

type Done = (err: NodeJS.ErrnoException | null, written: number) => void;

/** A fake output: every write waits for the test to answer it, so tests play the output's pace and failures. */
function scriptedIo() {
  const out: Buffer[] = [];
  const calls: Array<{ data: Buffer; done: Done }> = [];
  const io: SinkIo = {
    write: (_fd, data, done) => void calls.push({ data: Buffer.from(data), done }),
    writeSync: (_fd, data) => {
      out.push(Buffer.from(data));
      return Buffer.byteLength(data);
    },
  };
  /** Answers the oldest write: `written` bytes of it taken (all by default), or `err`. */
  const answer = (opts: { written?: number; err?: string } = {}) => {
    const call = calls.shift();
    assert.ok(call, "a write is in flight");
    if (opts.err) return call.done(Object.assign(new Error(opts.err), { code: opts.err }), 0);
    const written = opts.written ?? call.data.byteLength;
    out.push(call.data.subarray(0, written));
    call.done(null, written);
  };
  return { io, calls, answer, text: () => Buffer.concat(out).toString("utf8") };
}

/** A sink on a scripted output, with the drop counts it reports. */
function reportingSink(options: { maxPendingChars?: number } = {}) {
  const fake = scriptedIo();
  const reported: number[] = [];
  const sink = createLineSink(9, { ...options, io: fake.io, onDropped: (n) => void reported.push(n) });
  return { fake, reported, sink };
}

const lines = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `{"n":${from + i},"name":"Zoë 名前 🙂"}\n`);

test("a line goes out at once; lines queued while a write is in flight go out together in the next one, in order", () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io });
  const [first, ...rest] = lines(1000);
  sink.write(first!);
  assert.equal(fake.calls.length, 1);
  for (const line of rest) sink.write(line);
  assert.equal(fake.calls.length, 1, "nothing more is written while the first write is in flight");
  fake.answer();
  assert.equal(fake.calls.length, 1);
  assert.equal(fake.calls[0]!.data.toString(), rest.join(""));
  fake.answer();
  assert.equal(fake.calls.length, 0);
  assert.equal(fake.text(), lines(1000).join(""));
});

test("a partial write (a full pipe) is completed from the byte where it stopped, multi-byte characters included", () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io });
  sink.write(lines(1)[0]!);
  for (const line of lines(20, 1)) sink.write(line);
  fake.answer();
  fake.answer({ written: 17 }); // just before "ë", two bytes
  fake.answer({ written: 1 }); // its first byte only
  fake.answer();
  assert.equal(fake.calls.length, 0);
  assert.equal(fake.text(), lines(21).join(""));
});

test("EAGAIN is retried later with the same bytes; lines queued meanwhile follow them", async () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io });
  sink.write("a\n");
  fake.answer({ err: "EAGAIN" });
  sink.write("b\n");
  assert.equal(fake.calls.length, 0, "nothing is written until the retry");
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(fake.calls[0]!.data.toString(), "a\n");
  fake.answer();
  fake.answer();
  assert.equal(fake.text(), "a\nb\n");
});

test("flush waits for every line queued so far; with nothing queued it answers on the next tick", async () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io });
  let flushed = false;
  sink.flush(() => (flushed = true));
  await new Promise((resolve) => process.nextTick(resolve));
  assert.ok(flushed);
  sink.write("a\n");
  sink.write("b\n");
  flushed = false;
  sink.flush(() => (flushed = true));
  fake.answer();
  assert.ok(!flushed, "b is still queued");
  fake.answer();
  assert.ok(flushed);
});

test("lines beyond the pending limit are dropped, counted, and reported once the output has caught up", () => {
  const { fake, reported, sink } = reportingSink({ maxPendingChars: 10 });
  assert.equal(sink.write("first\n"), true); // in flight: not pending
  assert.equal(sink.write("12345\n"), true);
  assert.equal(sink.write("67890\n"), false);
  assert.equal(sink.write("123456789\n"), false);
  assert.equal(sink.write("abc\n"), true); // 6 + 4 chars fit
  fake.answer();
  assert.deepEqual(reported, [], "not while lines are still queued");
  fake.answer();
  assert.deepEqual(reported, [2]);
  assert.equal(fake.text(), "first\n12345\nabc\n");
});

test("a write that fails (not EAGAIN, not a broken pipe) drops its lines, counts them and goes on with the next", () => {
  const { fake, reported, sink } = reportingSink();
  sink.write("a\n");
  sink.write("b\n");
  sink.write("c\n");
  fake.answer({ err: "EIO" });
  assert.equal(fake.calls[0]!.data.toString(), "b\nc\n");
  fake.answer();
  assert.deepEqual(reported, [1]);
  assert.equal(fake.text(), "b\nc\n");
});

test("an output that fails every write (stdout closed: EBADF) does not loop on reports: drops are reported after a write goes through", () => {
  const fake = scriptedIo();
  const reported: number[] = [];
  const sink = createLineSink(9, { io: fake.io, onDropped: (n) => void (reported.push(n), sink.write(`dropped ${n}\n`)) });
  sink.write("a\n");
  fake.answer({ err: "EBADF" });
  assert.equal(fake.calls.length, 0, "no report was written after the failed write");
  sink.write("b\n");
  fake.answer({ err: "EBADF" });
  assert.equal(fake.calls.length, 0);
  assert.deepEqual(reported, []);
  sink.write("c\n");
  fake.answer();
  assert.deepEqual(reported, [2]);
  fake.answer();
  assert.equal(fake.text(), "c\ndropped 2\n");
});

test("a broken pipe stops logging: later lines are refused and flush still answers", () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io });
  sink.write("a\n");
  sink.write("b\n");
  let flushed = false;
  sink.flush(() => (flushed = true));
  fake.answer({ err: "EPIPE" });
  assert.ok(flushed);
  assert.equal(sink.write("c\n"), false);
  sink.flushSync();
  assert.equal(fake.calls.length, 0);
  assert.equal(fake.text(), "");
});

test("flushSync writes what is queued, synchronously", () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io });
  sink.write("a\n"); // in flight, answered by nobody
  sink.write("b\n");
  sink.write("c\n");
  sink.flushSync();
  assert.equal(fake.text(), "b\nc\n");
});

test("on a real file, 20,000 lines written in one burst arrive whole and in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "line-sink-"));
  const file = join(dir, "out.log");
  const fd = openSync(file, "w");
  try {
    const sink = createLineSink(fd);
    const all = lines(20_000);
    for (const line of all) sink.write(line);
    await new Promise<void>((resolve) => sink.flush(() => resolve()));
    assert.equal(readFileSync(file, "utf8"), all.join(""));
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the service's logger writes the lines still queued when the process exits", () => {
  const logger = new URL("../../src/adapters/http/logger.ts", import.meta.url).href;
  const script = `
    const { createLogger } = await import(${JSON.stringify(logger)});
    const log = createLogger("info");
    log.info({ i: -1 }, "line");
    await new Promise((resolve) => log.flush(resolve)); // nothing in flight: what follows is all queued at exit
    for (let i = 0; i < 5000; i++) log.info({ i }, "line");
    process.exit(3);`;
  let stdout = "";
  try {
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    stdout = (e as { stdout: string; status: number }).stdout;
    assert.equal((e as { status: number }).status, 3);
  }
  const got = stdout.trim().split("\n").map((l) => (JSON.parse(l) as { i: number }).i);
  assert.deepEqual(got, Array.from({ length: 5001 }, (_, i) => i - 1));
});

test("with holdMs, an idle sink holds its first line that long and writes it with the lines logged meanwhile; lines queued during a write are not held", async () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io, holdMs: 20 });
  sink.write("a\n");
  sink.write("b\n");
  assert.equal(fake.calls.length, 0, "held, not written yet");
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(fake.calls.length, 1);
  assert.equal(fake.calls[0]!.data.toString(), "a\nb\n");
  sink.write("c\n");
  fake.answer();
  assert.equal(fake.calls.length, 1, "queued during the write: written as soon as it ended");
  fake.answer();
  sink.write("d\n");
  assert.equal(fake.calls.length, 0, "idle again: held");
  await new Promise((resolve) => setTimeout(resolve, 40));
  fake.answer();
  assert.equal(fake.text(), "a\nb\nc\nd\n");
});

test("with holdMs, flush writes held lines at once, and flushSync takes them without a later write", async () => {
  const fake = scriptedIo();
  const sink = createLineSink(9, { io: fake.io, holdMs: 60_000 });
  sink.write("a\n");
  let flushed = false;
  sink.flush(() => (flushed = true));
  assert.equal(fake.calls.length, 1, "flush did not wait for the hold");
  fake.answer();
  assert.ok(flushed);
  sink.write("b\n");
  sink.flushSync();
  assert.equal(fake.text(), "a\nb\n");
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(fake.calls.length, 0, "the hold's timer was cancelled");
});
