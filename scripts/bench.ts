/**
 * `npm run bench`: GetPerson over every protocol against three baselines in
 * the same run, each server pinned to core 0 with the load generator on core
 * 1: a bare node:http2/node:http server, @grpc/grpc-js (gRPC only), stock
 * Fastify + connect-fastify; and this service, run as the image runs it (the
 * bundle in dist/, built first): as deployed by default (a log line per RPC
 * at info, metrics, incoming trace ids read for the logs, no spans
 * recorded), with the fast lane off, traced (the OpenTelemetry SDK on, every
 * span recorded and exported over OTLP to a local sink), and without the
 * old-generation limit of node_flags (V8's own heap sizing on this machine);
 * and the service side by side with each baseline (side-by-side.ts: both on
 * core 0, loaded together: the ratio of their req/s, and of their calls per CPU-second). Median of BENCH_REPS runs of BENCH_SECONDS
 * each, the runs of all servers interleaved (rep 1 on each, then rep 2 in
 * reverse order...) so that the machine's drift hits them alike; a ratio is
 * the median of the ratios of the same repetitions. Then the time to the
 * first answer over BENCH_STARTS starts of each (the service on the image's
 * compile cache and on an empty one, bare, grpc-js). Prints a table and writes
 * .bench/results.json. Needs h2load (nghttp2-client), wrk and taskset,
 * installed from Debian when missing. Every server runs on one allocator,
 * BENCH_ALLOCATOR: glibc (default) or the image's jemalloc (bench/allocator.ts).
 * To compare two builds of the service, see bench/ab.ts.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureLoadTools, percentile, type LoadResult, type Target } from "./bench/load.ts";
import { allocatorName } from "./bench/allocator.ts";
import { loadWith, scenarios, type Scenario } from "./bench/scenarios.ts";
import { cpuSeconds, watchPeakRss } from "./bench/process-stats.ts";
import { serviceNodeFlags, spawnBaseline, spawnGrpcJs, spawnService, startBaseline, startGrpcJs, startOtlpSink, startService, type Server, type ServiceOptions } from "./bench/servers.ts";
import { sideBySide, type SideBySide } from "./bench/side-by-side.ts";
import { measureStartups, type Startups } from "./bench/startups.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
/** Which parts run (all by default): bare, grpc-js, stock, personsvc, nice-workers, traced, lane-off, heap-unlimited, side-by-side, workers, writes. */
const parts = new Set((process.env.BENCH_PARTS ?? "bare,grpc-js,stock,personsvc,nice-workers,traced,lane-off,heap-unlimited,side-by-side,workers,writes").split(","));
const reps = Number(process.env.BENCH_REPS ?? 3);
/** Starts of each server for the time to the first answer (0: none). */
const starts = Number(process.env.BENCH_STARTS ?? 7);
/** Which scenarios run (all by default): names, comma-separated, each matching the scenarios it starts (`gRPC`, `Connect JSON`...). */
const only = process.env.BENCH_SCENARIOS?.split(",");
const dir = mkdtempSync(join(tmpdir(), "personsvc-bench-"));

let nextPort = 19000 + Math.floor(Math.random() * 1000) * 4;
const port = () => nextPort++;

let sink: ChildProcess | undefined;

/** The service with tracing on, exporting every span to a local OTLP sink on core 1. */
async function startTraced(): Promise<Server> {
  const p = port();
  sink = await startOtlpSink(p);
  return service({ port: port(), name: "personsvc traced", env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${p}`, OTEL_TRACES_SAMPLER: "always_on" } });
}

interface Row extends LoadResult {
  server: string;
  scenario: string;
  cpuPercent: number;
  peakRssMb: number;
  /** req/s of each repetition, in order (ratios pair the same repetition of two servers). */
  repRps?: number[];
}

type Run = LoadResult & { cpuPercent: number; peakRssMb: number };

/** One load run against one server. */
async function runOnce(server: Server, scenario: Scenario, target: Target, rate?: number): Promise<Run> {
  await sleep(500); // what the previous run left behind (GC, span exports) settles first
  const cpu0 = cpuSeconds(server.child.pid!);
  const t0 = performance.now();
  const stopRss = watchPeakRss(server.child.pid!);
  const result = await loadWith(scenario, target, seconds, dir, rate);
  const wall = (performance.now() - t0) / 1000;
  return { ...result, cpuPercent: ((cpuSeconds(server.child.pid!) - cpu0) / wall) * 100, peakRssMb: stopRss() };
}

/**
 * The median run by req/s, with the peak RSS and the errors of all runs. At a
 * fixed rate (`paced`) every run has the same req/s, and a run's p99 depends
 * on whether a full collection fell in its few seconds, so p50 and p99 are
 * those of all the runs' requests pooled.
 */
function summarize(server: Server, scenario: string, runs: Run[], paced: boolean): Row {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const { latenciesMs: _, ...median } = sorted[Math.floor(sorted.length / 2)]!;
  const pooled = paced && runs.every((x) => x.latenciesMs) ? runs.flatMap((x) => x.latenciesMs!).sort((a, b) => a - b) : undefined;
  return {
    server: server.name,
    scenario,
    ...median,
    ...(pooled ? { p50ms: percentile(pooled, 50), p99ms: percentile(pooled, 99) } : {}),
    peakRssMb: Math.max(...runs.map((x) => x.peakRssMb)),
    errors: runs.reduce((n, x) => n + x.errors, 0),
    repRps: runs.map((x) => x.rps),
  };
}

/**
 * Measures `scenario` on every server, the repetitions interleaved (rep 1 on
 * each server, then rep 2...), every other repetition in reverse order: this
 * machine's speed drifts by 20 % and more within minutes, and interleaving
 * spreads the drift over all servers alike (reversing cancels a steady
 * drift), so the ratios between them hold better than the absolute figures.
 * `rateOf` gives a server's request rate (h2load --rps), if any.
 */
async function measureInterleaved(servers: readonly Server[], scenario: Scenario, rateOf: (s: Server) => number | undefined = () => undefined): Promise<Row[]> {
  const runs = new Map<Server, Run[]>();
  for (let r = 0; r < reps; r++) {
    for (const server of r % 2 === 0 ? servers : [...servers].reverse()) {
      const target = scenario.target(server);
      if (!target) continue;
      runs.set(server, [...(runs.get(server) ?? []), await runOnce(server, scenario, target, rateOf(server))]);
    }
  }
  return [...runs].map(([server, done]) => summarize(server, scenario.name, done, rateOf(server) !== undefined));
}

ensureLoadTools();
// The service runs as the image runs it: the production bundle, built from the current sources.
execFileSync(process.execPath, ["scripts/build.ts"], { stdio: "inherit" });
const rows: Row[] = [];
const servers: Server[] = [];
const sideBySides: Array<SideBySide & { baseline: string; scenario: string }> = [];
// The compile cache filled as the image fills it at build time (starts on an empty one are measured at the end).
const compileCache = join(dir, "compile-cache");
execFileSync(process.execPath, ["src/warm-compile-cache.ts"], { stdio: "inherit", env: { ...process.env, NODE_COMPILE_CACHE: compileCache } });
const service = (opts: ServiceOptions) => startService({ compileCache, ...opts });
try {
  // Each baseline runs next to the service it is compared with.
  const starts: Array<[string, () => Promise<Server>]> = [
    ["grpc-js", () => startGrpcJs(port())],
    ["bare", () => startBaseline("bare", "scripts/bench/bare-server.ts", port(), port())],
    ["personsvc", () => service({ port: port() })],
    ["stock", () => startBaseline("stock", "scripts/bench/stock-server.ts", port(), port())],
    ["traced", () => startTraced()],
    // V8's worker threads at niceness 19 (V8_WORKER_NICE): on this one core they then wait for the main thread's idle time.
    ["nice-workers", () => service({ port: port(), name: "personsvc nice workers", env: { V8_WORKER_NICE: "19" } })],
    ["lane-off", () => service({ port: port(), name: "personsvc lane off", env: { FAST_LANE: "off" } })],
    // V8's own old-generation sizing (no limit, its own growing factor), as on a machine (or in a container) with 4 GB or more.
    ["heap-unlimited", () => service({ port: port(), name: "personsvc no heap limit", flags: serviceNodeFlags().filter((f) => !/^--max-old-space-size=/.test(f)), env: { HEAP_GROWING_PERCENT: "0" } })],
  ];
  // Every server starts first (each pinned to core 0, idle while another is measured).
  for (const [part, start] of starts) if (parts.has(part)) servers.push(await start());
  for (const scenario of scenarios.filter((x) => !only || only.some((name) => x.name.startsWith(name)))) {
    const measured = await measureInterleaved(servers, scenario);
    rows.push(...measured);
    for (const row of measured) console.error(`${row.server.padEnd(17)} ${row.scenario.padEnd(24)} ${row.rps.toFixed(0).padStart(8)} req/s`);
    // Latency when not saturated: the same load at half the maximum each server just reached (HTTP/1.1 paced by h2load).
    if (scenario.name === "gRPC h2c" || scenario.name === "Connect JSON HTTP/1.1") {
      const max = new Map(measured.map((row) => [row.server, row.rps]));
      const paced: Scenario = { ...scenario, name: `${scenario.name} at half the max rate`, tool: scenario.tool === "wrk" ? "h2load-h1" : scenario.tool };
      rows.push(...(await measureInterleaved(servers, paced, (s) => (max.get(s.name) ?? 0) / 2)));
    }
  }
  // The service and a baseline sharing core 0, loaded together: req/s and calls per CPU-second, whatever the machine's speed at the time.
  if (parts.has("side-by-side")) {
    const named = (name: string) => servers.find((s) => s.name === name);
    const service = named("personsvc");
    for (const [baseline, scenarioName] of [["grpc-js", "gRPC h2c"], ["bare", "gRPC h2c"], ["bare", "Connect JSON HTTP/1.1"], ["bare", "gRPC-Web HTTP/1.1"], ["bare", "REST GET HTTP/1.1"]] as const) {
      const other = named(baseline);
      const scenario = scenarios.find((x) => x.name === scenarioName)!;
      if (!service || !other) continue;
      const [a, b] = [mkdtempSync(join(dir, "side-")), mkdtempSync(join(dir, "side-"))];
      const load = (server: Server, into: string) => () => loadWith(scenario, scenario.target(server)!, seconds, into);
      const series = await sideBySide(load(other, a), load(service, b), [other.child.pid!, service.child.pid!], reps);
      sideBySides.push({ baseline, scenario: scenarioName, ...series });
      console.error(`side by side: personsvc / ${baseline} ${scenarioName} ${series.ratio.toFixed(2)}x, per CPU-second ${series.perCpu.ratio.toFixed(2)}x`);
    }
  }
  for (const server of servers) server.child.kill("SIGTERM");
  if (sink) {
    const exported = new Promise<string>((resolve) => sink!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
    await sleep(1000);
    sink.kill("SIGTERM");
    console.error(`otlp sink: ${await exported}`);
  }
  // 1 vs 2 workers (WORKERS=2 on cores 0-1; the load generator shares core 1, so
  // this shows what a second process buys on this 2-core machine, not a clean scale-out).
  if (parts.has("workers")) {
    const clustered = await service({ port: port(), name: "personsvc x2", cores: "0,1", env: { WORKERS: "2", SQLITE_PATH: join(dir, "cluster.db") } });
    servers.push(clustered);
    for (const scenario of scenarios.filter((x) => x.name === "gRPC h2c" || x.name === "Connect JSON HTTP/1.1")) {
      rows.push(...(await measureInterleaved([clustered], scenario)));
    }
    clustered.child.kill("SIGTERM");
  }
  // The write mix, on a durable store file.
  if (parts.has("writes")) {
    const durable = await service({ port: port(), env: { SQLITE_PATH: join(dir, "people.db") } });
    servers.push(durable);
    const stopRss = watchPeakRss(durable.child.pid!);
    const cpu0 = cpuSeconds(durable.child.pid!);
    const t0 = performance.now();
    const mix = JSON.parse(execFileSync("taskset", ["-c", "1", process.execPath, "scripts/bench/write-mix.ts", durable.h2, String(seconds * 2)], { encoding: "utf8" })) as LoadResult;
    rows.push({ server: "personsvc", scenario: "write mix (create/get/delete, 8 clients, file store)", ...mix, cpuPercent: ((cpuSeconds(durable.child.pid!) - cpu0) / ((performance.now() - t0) / 1000)) * 100, peakRssMb: stopRss() });
    durable.child.kill("SIGTERM");
  }
} finally {
  for (const s of servers) s.child.kill("SIGKILL");
  sink?.kill("SIGKILL");
}

// Time to the first answer, over several starts of each (the service on the image's compile cache, and on an empty one).
const startups: Startups[] =
  starts > 0
    ? await measureStartups(
        [
          ["personsvc", () => spawnService({ port: port(), compileCache })],
          ["personsvc, empty compile cache", () => spawnService({ port: port(), compileCache: mkdtempSync(join(dir, "cold-")) })],
          ["bare", () => spawnBaseline("scripts/bench/bare-server.ts", port(), port())],
          ["grpc-js", () => spawnGrpcJs(port())],
        ],
        starts,
      )
    : [];

// One server's rows together, the baselines first (stable: scenarios keep their order).
const serverOrder = ["bare", "grpc-js", "stock", ...servers.map((s) => s.name)];
rows.sort((a, b) => serverOrder.indexOf(a.server) - serverOrder.indexOf(b.server));
const find = (server: string, scenario: string) => rows.find((r) => r.server === server && r.scenario === scenario);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** `a` over `b`: the median of the ratios of their same repetitions (runs seconds apart), else of their medians. */
const ratio = (a: Row | undefined, b: Row | undefined) => {
  if (!a?.rps || !b?.rps) return "n/a";
  const paired = a.repRps && b.repRps && a.repRps.length === b.repRps.length ? median(a.repRps.map((x, i) => x / b.repRps![i]!)) : a.rps / b.rps;
  return `${paired.toFixed(2)}x`;
};
const lines = [
  `GetPerson (1,000 people), server on core 0, load on core 1, median of ${reps} x ${seconds}s (ratios: median of the same repetitions' ratios); h2load 16 conns x 16 streams, wrk 64 conns; every server on ${allocatorName()}`,
  "| server | scenario | req/s | p50 ms | p99 ms | errors | server CPU % | peak RSS MB | vs bare | vs grpc-js | vs stock |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => {
    const vs = (baseline: string) => (r.server.startsWith("personsvc") || (r.server === "grpc-js" && baseline === "bare") ? ratio(r, find(baseline, r.scenario)) : "");
    return `| ${r.server} | ${r.scenario} | ${r.rps.toFixed(0)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.errors} | ${r.cpuPercent.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ${vs("bare")} | ${vs("grpc-js")} | ${vs("stock")} |`;
  }),
  "",
  ...sideBySides.map(
    (x) =>
      `side by side on one core, loaded together: personsvc / ${x.baseline}, ${x.scenario}: req/s ${x.ratio.toFixed(2)}x (${x.min.toFixed(2)} to ${x.max.toFixed(2)}), calls per CPU-second ${x.perCpu.ratio.toFixed(2)}x (${x.perCpu.min.toFixed(2)} to ${x.perCpu.max.toFixed(2)}), ${x.rounds.length} rounds`,
  ),
  ...startups.map((s) => `${s.name}: first successful answer after ${s.medianMs.toFixed(0)} ms (median of ${starts} starts, ${s.minMs.toFixed(0)} to ${s.maxMs.toFixed(0)})`),
  ...servers.map((s) => `${s.name}: first successful response ${s.firstResponseMs.toFixed(0)} ms after spawn (incl. taskset), idle RSS ${s.idleRssMb.toFixed(0)} MB`),
];
console.log(lines.join("\n"));
mkdirSync(".bench", { recursive: true });
writeFileSync(".bench/results.json", JSON.stringify({ seconds, reps, allocator: allocatorName(), rows, sideBySides, startups, servers: servers.map((s) => ({ name: s.name, firstResponseMs: s.firstResponseMs, idleRssMb: s.idleRssMb })) }, null, 2));
