import { createRequire } from "node:module";
import pino, { type DestinationStream, type Logger } from "pino";
import { createLineSink } from "./line-sink.ts";

/** How long a log line may wait for others to share its write (see createLineSink). */
export const logHoldMs = 10;

/**
 * The service's pino logger: JSON lines, pretty-printed only when stdout is a
 * terminal. `destination` lets tests capture the lines. Lines go to stdout
 * asynchronously (createLineSink): under load, lines logged while a write is
 * in flight go out together in the next write (one syscall, not one per
 * line); below saturation, a line waits `logHoldMs` for the lines after it.
 * What is left is written on exit; call `flushLogger` before a deliberate exit.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "personsvc", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: errorFields },
  };
  if (destination) return pino(options, destination);
  const pretty = process.stdout.isTTY ? prettyPrinter() : undefined;
  if (pretty) return pino(options, pretty);
  let logger: Logger | undefined;
  const stdout = createLineSink(1, {
    holdMs: logHoldMs,
    onDropped: (lines) => logger?.warn({ lines }, "log lines dropped: the output could not take them"),
  });
  process.once("exit", () => stdout.flushSync());
  logger = pino(options, stdout);
  return logger;
}

/**
 * An `err` as log lines carry it: its type and message (and code, if it has
 * one), never a stack. pino's own serializer adds the stack, and calls every
 * plain object's type "Object".
 */
function errorFields(err: unknown): unknown {
  if (typeof err !== "object" || err === null) return err;
  const { type, name, message, code } = err as { type?: unknown; name?: unknown; message?: unknown; code?: unknown };
  return {
    ...(type !== undefined ? { type } : err instanceof Error ? { type: name } : {}),
    message,
    ...(code !== undefined ? { code } : {}),
  };
}

/**
 * A writer of the info line `msg` with its fields already serialized
 * (`"a":1,"b":"x"`), laid out as `logger.info(fields, msg)` would write it
 * with createLogger's options (level label, ISO time, the logger's bindings),
 * without pino's per-call walk over the fields: for the one line every RPC
 * writes. Nothing is written when info is not enabled.
 */
export function createInfoLineWriter(logger: Logger, msg: string): (fields: string) => void {
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as { write(line: string): void };
  // The base and child bindings, serialized by pino (`,"service":"personsvc","pid":1`).
  const afterTime = `"${internals[pino.symbols.chindingsSym] as string},`;
  const tail = `,"msg":${JSON.stringify(msg)}}\n`;
  const time = createIsoClock();
  return (fields) => {
    if (logger.isLevelEnabled("info")) stream.write(`{"level":"info","time":"${time()}${afterTime}${fields}${tail}`);
  };
}

/** The current time as pino's isoTime writes it, formatted once per millisecond (lines under load share it). */
function createIsoClock(): () => string {
  let ms = 0;
  let iso = "";
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      iso = new Date(now).toISOString();
    }
    return iso;
  };
}

/** Writes out every line logged so far (before a deliberate exit). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

/**
 * pino-pretty's stream, in this thread (a pino transport would load worker
 * files by path, which the bundle does not have), if it is installed: it is
 * a development dependency, so a production install logs JSON even on a
 * terminal.
 */
function prettyPrinter(): DestinationStream | undefined {
  try {
    const build = createRequire(import.meta.url)("pino-pretty") as (options: object) => DestinationStream;
    return build({ sync: true });
  } catch {
    return undefined;
  }
}
