import { execFile, execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { benchAllocator, jemallocPath } from "./allocator.ts";

const run = promisify(execFile);

/** Installs h2load, wrk, taskset and jemalloc for BENCH_ALLOCATOR=jemalloc (Debian packages nghttp2-client, wrk, util-linux, libjemalloc2) if they are missing. */
export function ensureLoadTools(): void {
  const missing = ["h2load", "wrk", "taskset"].filter((t) => {
    try {
      execFileSync("sh", ["-c", `command -v ${t}`]);
      return false;
    } catch {
      return true;
    }
  });
  if (benchAllocator() === "jemalloc" && !jemallocPath()) missing.push("jemalloc");
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(", ")} (Debian packages nghttp2-client, wrk, util-linux, libjemalloc2)`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "nghttp2-client", "wrk", "util-linux", "libjemalloc2"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

/** One measured run of a load generator. */
export interface LoadResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** Every measured request's latency, sorted (h2load only), so that the runs of a series can be pooled. */
  latenciesMs?: number[];
}

/** A request every scenario describes the same way for both generators. */
export interface Target {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

/** The p-th percentile of `sorted` (ascending). */
export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * h2load (HTTP/2, prior knowledge) on core 1: 16 connections x 16 streams, as
 * fast as it can, or at `rate` req/s in all. At a fixed rate the connections
 * start 1 ms apart: started together, their per-connection request timers
 * tick together and every tick lands 16 requests at once (p50 4.7-7.4 ms
 * against 1.0-1.6 ms staggered, same server, same rate). h2load takes a
 * request count, not a duration, with staggered starts; latencies then
 * count from the second second on. `http1`: HTTP/1.1 (--h1), 64 connections
 * of one request at a time, as wrk runs (wrk cannot hold a fixed rate).
 */
export async function h2load(target: Target, seconds: number, dir: string, rate?: number, http1 = false): Promise<LoadResult> {
  const log = `${dir}/h2load.log`;
  // Over HTTP/1.1 (--h1), as wrk loads it: 64 connections, one request at a time on each.
  const connections = http1 ? 64 : 16;
  const args = ["-c", "1", "h2load", ...(http1 ? ["--h1"] : []), "-c", String(connections), "-m", http1 ? "1" : "16", `--log-file=${log}`];
  if (rate === undefined) args.push("-D", String(seconds), "--warm-up-time=1");
  else args.push("-n", String(Math.round(rate * seconds)), `--rps=${Math.max(1, Math.round(rate / connections))}`, "-r", "1", "--rate-period=1ms");
  for (const [k, v] of Object.entries(target.headers)) args.push("-H", `${k}: ${v}`);
  if (target.body) {
    writeFileSync(`${dir}/body.bin`, target.body);
    args.push("-d", `${dir}/body.bin`);
  }
  args.push(target.url);
  const { stdout } = await run("taskset", args, { maxBuffer: 1 << 24 });
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout)?.[1] ?? 0);
  const failed = /requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(stdout);
  const non2xx = /status codes: \d+ 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  const rows = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t").map(Number) as [number, number, number]);
  // At a fixed rate, the first second (connections starting, the server's
  // code warming up) is left out, as --warm-up-time leaves it out of a
  // saturated run: its calls waited up to ~0.4 s on this VM, bare server included.
  const from = rate === undefined ? -Infinity : rows.reduce((min, r) => Math.min(min, r[0]), Infinity) + 1_000_000;
  const times = rows
    .filter((r) => r[0] >= from)
    .map((r) => r[2] / 1000)
    .sort((a, b) => a - b);
  rmSync(log, { force: true });
  const errors = [failed?.[1], failed?.[2], failed?.[3], non2xx?.[2], non2xx?.[3]].reduce((n, v) => n + Number(v ?? 0), 0);
  return { rps, p50ms: percentile(times, 50), p99ms: percentile(times, 99), errors, latenciesMs: times };
}

/** wrk (HTTP/1.1, keep-alive) on core 1: 64 connections. */
export async function wrk(target: Target, seconds: number, dir: string): Promise<LoadResult> {
  const escape = (b: Buffer) => [...b].map((c) => `\\${c}`).join("");
  const headers = Object.entries(target.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join("\n");
  writeFileSync(`${dir}/wrk.lua`, `wrk.method = "${target.method}"\n${target.body ? `wrk.body = "${escape(target.body)}"\n` : ""}${headers}\n`);
  const { stdout } = await run("taskset", ["-c", "1", "wrk", "-t1", "-c64", `-d${seconds}s`, "--latency", "-s", `${dir}/wrk.lua`, target.url], { maxBuffer: 1 << 24 });
  const ms = (label: string) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    if (!m) return 0;
    return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    p50ms: ms("50"),
    p99ms: ms("99"),
    errors: non2xx + (socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0),
  };
}
