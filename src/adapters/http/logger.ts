import pino, { type DestinationStream, type Logger } from "pino";

/**
 * The service's pino logger: JSON lines, pretty-printed only when stdout is a
 * terminal. `destination` lets tests capture the lines.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "personsvc", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (destination) return pino(options, destination);
  if (process.stdout.isTTY && hasPrettyPrinter()) return pino({ ...options, transport: { target: "pino-pretty" } });
  return pino(options);
}

/** pino-pretty is a development dependency: a production install logs JSON even on a terminal. */
function hasPrettyPrinter(): boolean {
  try {
    import.meta.resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}
