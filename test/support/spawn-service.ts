import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const mainPath = fileURLToPath(new URL("../../src/main.js", import.meta.url));

/** The node flags `npm start` and the image use (package.json config.node_flags). */
export const nodeFlags: string[] = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { config: { node_flags: string } }
).config.node_flags.split(" ");

/** The real service process, started the way `npm start` starts it. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Parsed stdout log lines so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/**
 * How long a spawned service may take to log "listening". It starts in about
 * a second; the limit is wide because one CI run on a loaded 2-core VM saw a
 * start take over 15 s, once: start-up speed is the benchmark's to measure.
 */
const startLimitMs = 30_000;

/** Spawns `node <flags> [extraFlags] src/main.js` with `env` on an ephemeral port; resolves once it logs "listening". */
export async function spawnService(env: Record<string, string>, entry = mainPath, extraFlags: readonly string[] = []): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...nodeFlags, ...extraFlags, entry], {
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  let timer: NodeJS.Timeout | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "listening") resolve(entry.port as number);
      } catch {
        logs.push({ raw: line });
      }
    });
    void exited.then((code) => reject(new Error(`service exited (${code}) before listening: ${stderr}`)));
    timer = setTimeout(() => {
      child.kill("SIGKILL");
      const seen = logs.map((l) => JSON.stringify(l)).join("\n");
      reject(new Error(`service did not log "listening" within ${startLimitMs / 1000} s (LOG_LEVEL must be info or lower); stdout so far:\n${seen}\nstderr: ${stderr}`));
    }, startLimitMs);
  }).finally(() => clearTimeout(timer));
  return { child, port, baseUrl: `http://127.0.0.1:${port}`, logs, exited };
}
