/**
 * Starting the servers the benchmarks measure, each pinned with taskset: the
 * service (a checkout's bundle, run as the image runs it) and the baselines
 * (bare node:http2/node:http, stock connect-fastify, grpc-js), plus the OTLP
 * sink the traced service exports to. Shared by bench.ts and bench/ab.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http2 from "node:http2";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { allocatorEnv } from "./allocator.ts";
import { getPersonBodies } from "./fixtures.ts";
import { rssMb } from "./process-stats.ts";

/** A server under load: where it listens, and what its start-up measured. */
export interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly h2: string;
  readonly h1: string;
  /** Milliseconds from spawn (taskset included) to its first successful answer. */
  readonly firstResponseMs: number;
  /** RSS a while after that answer, before any load. */
  readonly idleRssMb: number;
  /** Serves gRPC only (grpc-js): the other scenarios skip it. */
  readonly grpcOnly?: boolean;
  /** The person GetPerson asks for. */
  readonly id: string;
}

/** The flags `npm start` and the image run the service with (package.json `config.node_flags`). */
export function serviceNodeFlags(root = "."): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { config: { node_flags: string } };
  return pkg.config.node_flags.split(" ");
}

/** Idle RSS is read this long after the first response, on every server alike (the service compacts its heap at its first idle moment). */
const idleAfterMs = 2000;
/** The id the baselines' fixtures serve. */
const fixtureId = "00000000-0000-4000-8000-000000000001";

/** Milliseconds until `answered()` first resolves true (polled every 5 ms, for up to 20 s). */
async function firstAnswer(what: string, answered: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await answered()) return performance.now() - started;
    if (performance.now() - started > 20_000) throw new Error(`${what} did not come up`);
    await sleep(5);
  }
}

/** The bench's environment plus the allocator every server runs on (BENCH_ALLOCATOR, allocator.ts); the load generators keep the bench's own. */
const baselineEnv = () => ({ ...process.env, ...allocatorEnv() });

/** Whether `url` answers with a 2xx. */
const fetchOk = (url: string, init?: RequestInit) => () => fetch(url, init).then((r) => r.ok, () => false);

/** Whether one gRPC GetPerson over h2c succeeds (grpc-js has no HTTP/1.1 to poll). */
const grpcOk = (base: string, body: Buffer) => () =>
  new Promise<boolean>((resolve) => {
    const session = http2.connect(base);
    session.on("error", () => resolve(false));
    const req = session.request({ ":method": "POST", ":path": "/person.v1.PersonService/GetPerson", "content-type": "application/grpc", te: "trailers" });
    req.on("error", () => resolve(false));
    req.on("trailers", (trailers) => resolve(trailers["grpc-status"] === "0"));
    req.on("close", () => {
      session.close();
      resolve(false);
    });
    req.resume();
    req.end(body);
  });

/** A server process just spawned, and when it first answered. */
export interface Spawned {
  readonly child: ChildProcess;
  /** Milliseconds from spawn (taskset included) to its first successful answer. */
  readonly firstAnswer: Promise<number>;
}

/** Spawns a baseline script (`script <h2c-port> <http1-port>`) on core 0; it answers GetPerson over Connect JSON. */
export function spawnBaseline(script: string, h2: number, h1: number): Spawned {
  const child = spawn("taskset", ["-c", "0", process.execPath, script, String(h2), String(h1)], { stdio: ["ignore", "ignore", "inherit"], env: baselineEnv() });
  const url = `http://127.0.0.1:${h1}/person.v1.PersonService/GetPerson`;
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: getPersonBodies(fixtureId).json };
  return { child, firstAnswer: firstAnswer(url, fetchOk(url, init)) };
}

/** A baseline script on core 0, once it answered and settled. */
export async function startBaseline(name: string, script: string, h2: number, h1: number): Promise<Server> {
  const { child, firstAnswer: answered } = spawnBaseline(script, h2, h1);
  const firstResponseMs = await answered;
  await sleep(idleAfterMs);
  return { name, child, h2: `http://127.0.0.1:${h2}`, h1: `http://127.0.0.1:${h1}`, firstResponseMs, idleRssMb: rssMb(child.pid!), id: fixtureId };
}

/** Spawns the grpc-js baseline (gRPC over h2c only) on core 0; its first answer is a gRPC GetPerson. */
export function spawnGrpcJs(port: number): Spawned {
  const base = `http://127.0.0.1:${port}`;
  const child = spawn("taskset", ["-c", "0", process.execPath, "scripts/bench/grpcjs-server.ts", String(port)], { stdio: ["ignore", "ignore", "inherit"], env: baselineEnv() });
  return { child, firstAnswer: firstAnswer(base, grpcOk(base, getPersonBodies(fixtureId).grpc)) };
}

/** The grpc-js baseline on core 0, once it answered and settled. */
export async function startGrpcJs(port: number): Promise<Server> {
  const { child, firstAnswer: answered } = spawnGrpcJs(port);
  const firstResponseMs = await answered;
  await sleep(idleAfterMs);
  const base = `http://127.0.0.1:${port}`;
  return { name: "grpc-js", child, h2: base, h1: base, firstResponseMs, idleRssMb: rssMb(child.pid!), grpcOnly: true, id: fixtureId };
}

/** How the service is started. */
export interface ServiceOptions {
  readonly port: number;
  readonly name?: string;
  /** The checkout whose bundle (dist/main.cjs, or dist/main.js in older ones) runs (default: this one). */
  readonly root?: string;
  /** Environment on top of the bench's (in-memory store, info logs, MALLOC_ARENA_MAX as the image sets it, BENCH_ALLOCATOR's malloc). */
  readonly env?: Record<string, string>;
  readonly cores?: string;
  readonly flags?: readonly string[];
  /** People created before the load (GetPerson asks for the last one). */
  readonly people?: number;
  /** Node's compile cache directory (NODE_COMPILE_CACHE; default: Node's, in the OS temp directory). */
  readonly compileCache?: string;
}

/** Spawns the service's bundle as the image starts it; its first answer is a 200 from `/readyz`. */
export function spawnService(opts: ServiceOptions): Spawned {
  const root = opts.root ?? ".";
  // Checkouts built before 2026-12-04 have an ES module entry (bench:ab compares with them).
  const entry = existsSync(join(root, "dist/main.cjs")) ? "dist/main.cjs" : "dist/main.js";
  const child = spawn("taskset", ["-c", opts.cores ?? "0", process.execPath, ...(opts.flags ?? serviceNodeFlags(root)), join(root, entry)], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { PATH: process.env.PATH, PORT: String(opts.port), HOST: "127.0.0.1", SQLITE_PATH: ":memory:", LOG_LEVEL: "info", MALLOC_ARENA_MAX: "2", ...allocatorEnv(), ...(opts.compileCache ? { NODE_COMPILE_CACHE: opts.compileCache } : {}), ...opts.env },
  });
  const base = `http://127.0.0.1:${opts.port}`;
  return { child, firstAnswer: firstAnswer(base, fetchOk(`${base}/readyz`)) };
}

/** The service's bundle, started as the image starts it, with `people` persons in its store. */
export async function startService(opts: ServiceOptions): Promise<Server> {
  const { child, firstAnswer: answered } = spawnService(opts);
  const base = `http://127.0.0.1:${opts.port}`;
  const firstResponseMs = await answered;
  await sleep(idleAfterMs);
  const idleRssMb = rssMb(child.pid!);
  let id = "";
  for (let i = 0; i < (opts.people ?? 1000); i++) {
    const res = await fetch(`${base}/api/v1/person`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ firstName: `First${i}`, lastName: `Last${i}` }) });
    id = ((await res.json()) as { id: string }).id;
  }
  return { name: opts.name ?? "personsvc", child, h2: base, h1: base, firstResponseMs, idleRssMb, id };
}

/** The stand-in OTLP collector on core 1; its stdout says "ready", then its counts once it is sent SIGTERM. */
export async function startOtlpSink(port: number): Promise<ChildProcess> {
  const sink = spawn("taskset", ["-c", "1", process.execPath, "scripts/bench/otlp-sink.ts", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => sink.stdout!.once("data", resolve));
  return sink;
}
