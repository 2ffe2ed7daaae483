import { write as fsWrite, writeSync as fsWriteSync } from "node:fs";

/** The two writes a line sink needs (node:fs by default; tests pass their own to play a slow or failing output). */
export interface SinkIo {
  write(fd: number, data: string | Buffer, done: (err: NodeJS.ErrnoException | null, written: number) => void): void;
  writeSync(fd: number, data: string | Buffer): number;
}

/** Options of createLineSink. */
export interface LineSinkOptions {
  readonly io?: SinkIo;
  /** Lines waiting to be written, in UTF-16 code units, beyond which new lines are dropped (default 16 Mi). */
  readonly maxPendingChars?: number;
  /** Told, once the output has caught up, how many lines were dropped (output too slow, or a write failed). */
  readonly onDropped?: (lines: number) => void;
  /**
   * How long an idle sink holds its first line before writing it, so that the
   * lines logged meanwhile share its write (default 0: at once).
   */
  readonly holdMs?: number;
}

/** Where the service's log lines go: pino's destination stream, plus the flushes its logger needs. */
export interface LineSink {
  /** Queues `line` (a whole line, newline included); false when it was dropped. */
  write(line: string): boolean;
  /** Calls `done` once every line queued so far has been written (or dropped). */
  flush(done: (err?: Error) => void): void;
  /** Writes what is queued now, synchronously (at process exit, when no callback will run again). */
  flushSync(): void;
}

const nodeIo: SinkIo = {
  write: (fd, data, done) => (typeof data === "string" ? fsWrite(fd, data, null, "utf8", done) : fsWrite(fd, data, done)),
  writeSync: (fd, data) => (typeof data === "string" ? fsWriteSync(fd, data, null, "utf8") : fsWriteSync(fd, data)),
};

const byteLength = (data: string | Buffer) => (typeof data === "string" ? Buffer.byteLength(data) : data.byteLength);
const rest = (data: string | Buffer, written: number) => (typeof data === "string" ? Buffer.from(data) : data).subarray(written);
const linesIn = (data: string | Buffer) => String(data).split("\n").length - 1;
const retryLaterMs = 50;

/**
 * Log lines to a file descriptor, asynchronously: a line queued while no write
 * is in flight goes out at once, or `holdMs` later with the lines queued
 * meanwhile; lines queued while a write is in flight go out together in the
 * next write, at once. Holding matters below saturation: at a few thousand
 * calls a second each line would otherwise be a write of its own, handed to
 * a libuv thread and back (two thread switches per line, on the core the
 * service runs on). Lines stay strings until the write (fs encodes them in
 * native memory), so a line costs no Buffer of its own: pino's destination
 * in buffer mode made ~1 KB of ArrayBuffers per line, which live off the
 * V8 heap until a garbage collection finds them and, under load, added tens
 * of MB to the resident set. Partial writes are completed; EAGAIN (a full
 * non-blocking pipe) is retried; a broken pipe stops logging, as pino's
 * destination does; lines beyond `maxPendingChars`, or in a write that
 * failed otherwise, are dropped and counted, never queued without bound.
 */
export function createLineSink(fd: number, options: LineSinkOptions = {}): LineSink {
  const io = options.io ?? nodeIo;
  const maxPending = options.maxPendingChars ?? 16 * 1024 * 1024;
  let pending = "";
  let writing = false;
  let broken = false;
  let dropped = 0;
  let lastWriteFailed = false;
  let waiters: Array<(err?: Error) => void> = [];
  const holdMs = options.holdMs ?? 0;
  let held: NodeJS.Timeout | undefined;

  const start = () => {
    if (held) clearTimeout(held);
    held = undefined;
    const chunk = pending;
    pending = "";
    writing = true;
    send(chunk);
  };

  const caughtUp = () => {
    writing = false;
    // Reported only after a write went through: on an output that fails every
    // write (stdout closed: EBADF), the report would fail and be reported again.
    if (dropped > 0 && !broken && !lastWriteFailed) {
      const lines = dropped;
      dropped = 0;
      options.onDropped?.(lines); // may queue a line, which starts (or holds) a write
      if (writing || held) return;
    }
    const done = waiters;
    waiters = [];
    for (const waiter of done) waiter();
  };

  const next = () => (pending !== "" && !broken ? start() : caughtUp());

  function send(chunk: string | Buffer) {
    io.write(fd, chunk, (err, written) => {
      if (err?.code === "EAGAIN" || err?.code === "EBUSY") {
        setTimeout(() => send(chunk), retryLaterMs);
      } else if (err?.code === "EPIPE") {
        broken = true;
        pending = "";
        caughtUp();
      } else if (err) {
        lastWriteFailed = true;
        dropped += linesIn(chunk);
        next();
      } else if (written < byteLength(chunk)) {
        send(rest(chunk, written));
      } else {
        lastWriteFailed = false;
        next();
      }
    });
  }

  return {
    write(line) {
      if (broken) return false;
      if (pending.length + line.length > maxPending) {
        dropped++;
        return false;
      }
      pending += line;
      if (writing || held) return true;
      if (holdMs > 0) held = setTimeout(start, holdMs).unref();
      else start();
      return true;
    },
    flush(done) {
      if (!writing && pending === "") return void process.nextTick(done);
      waiters.push(done);
      if (held) start();
    },
    flushSync() {
      if (held) clearTimeout(held);
      held = undefined;
      if (broken || pending === "") return;
      let data: string | Buffer = pending;
      pending = "";
      for (let busy = 0; byteLength(data) > 0; ) {
        try {
          data = rest(data, io.writeSync(fd, data));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if ((code !== "EAGAIN" && code !== "EBUSY") || ++busy > 100) return;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        }
      }
    },
  };
}
