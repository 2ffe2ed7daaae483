/**
 * `npm run bench:alloc`: what one call costs the heap, per scenario of the
 * benchmark: bytes allocated per call (V8's sampling heap profiler in the
 * service, every allocation counted, collected or not) and GC pause per call,
 * under the benchmark's load (server on core 0, load on core 1). Unlike
 * req/s, bytes per call hardly depend on how fast this VM is at the moment
 * (two runs agree within ~2%), so a change in what the hot path allocates
 * shows in one run. GC pause per call does depend on the rate, as V8 sizes
 * its heap to it. BENCH_SECONDS (default 5), BENCH_SCENARIOS (as for bench).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureLoadTools } from "./load.ts";
import { loadWith, scenarios } from "./scenarios.ts";
import { serviceNodeFlags, startService } from "./servers.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const only = process.env.BENCH_SCENARIOS?.split(",");
const dir = mkdtempSync(join(tmpdir(), "personsvc-alloc-"));
const sampleFile = join(dir, "sample.json");

/** RPCs the service has answered so far (its rpc_server_requests_total, all labels). */
async function rpcsServed(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("rpc_server_requests_total{"))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

/** Stops the sampler (SIGUSR2) and reads what it wrote. */
async function stopSampling(pid: number): Promise<{ allocatedBytes: number; gcPauseMs: number; gcCount: number }> {
  process.kill(pid, "SIGUSR2");
  for (let waited = 0; !existsSync(sampleFile); waited += 50) {
    if (waited > 10_000) throw new Error("the heap sampler wrote nothing");
    await sleep(50);
  }
  await sleep(50); // written at once, but let the write finish
  const sample = JSON.parse(readFileSync(sampleFile, "utf8")) as { allocatedBytes: number; gcPauseMs: number; gcCount: number };
  rmSync(sampleFile);
  return sample;
}

ensureLoadTools();
execFileSync(process.execPath, ["scripts/build.ts"], { stdio: "inherit" });
const server = await startService({
  port: 19900 + Math.floor(Math.random() * 90),
  env: { HEAP_SAMPLE_FILE: sampleFile },
  flags: [...serviceNodeFlags(), "--import", join(import.meta.dirname, "heap-sampler.ts")],
});
const lines = [
  `GetPerson (1,000 people), server on core 0, load on core 1, ${seconds} s per scenario after a 2 s warm-up`,
  "| scenario | calls | req/s | KB allocated per call | GC pause per call (µs) | GCs |",
  "|---|---:|---:|---:|---:|---:|",
];
try {
  for (const scenario of scenarios.filter((x) => !only || only.some((name) => x.name.startsWith(name)))) {
    const target = scenario.target(server);
    if (!target) continue;
    const load = (s: number) => loadWith(scenario, target, s, dir);
    await load(2);
    await sleep(500);
    const before = await rpcsServed(server.h1);
    process.kill(server.child.pid!, "SIGUSR2");
    const result = await load(seconds);
    const sample = await stopSampling(server.child.pid!);
    const calls = (await rpcsServed(server.h1)) - before;
    lines.push(`| ${scenario.name} | ${calls} | ${result.rps.toFixed(0)} | ${(sample.allocatedBytes / calls / 1024).toFixed(1)} | ${((sample.gcPauseMs * 1000) / calls).toFixed(1)} | ${sample.gcCount} |`);
    console.error(lines.at(-1));
  }
} finally {
  server.child.kill("SIGTERM");
}
console.log(lines.join("\n"));
