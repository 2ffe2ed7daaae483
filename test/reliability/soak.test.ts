import { before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnService } from "../support/spawn-service.ts";
import { personClient, transportsFor } from "../support/clients.ts";

// CI runs a bounded soak; `npm run soak` runs the full minute.
const seconds = Number(process.env.SOAK_SECONDS ?? 15);
const warmupSeconds = Number(process.env.SOAK_WARMUP_SECONDS ?? 5);
const rate = Number(process.env.SOAK_RATE ?? 150);

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** GETs a REST URL through Node's global agent (like the HTTP/1.1 transports), so its connections can be closed at will. */
function restGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => res.resume().on("end", () => resolve(res.statusCode ?? 0))).on("error", reject);
  });
}

/**
 * The service's open descriptors once the clients' idle keep-alive
 * connections are closed: how many the pools keep open depends on the peak
 * concurrency (higher on a busy CI machine), not on the service. What is
 * left is the service's own, plus the one HTTP/2 session.
 */
async function serviceFds(pid: number): Promise<number> {
  http.globalAgent.destroy();
  await sleep(500);
  return openFds(pid);
}

let result: { errors: string[]; p99: number; rssStart: number; rssEnd: number; fdsStart: number; fdsEnd: number; compacted: boolean };

before(async () => {
  const service = await spawnService({ SQLITE_PATH: join(mkdtempSync(join(tmpdir(), "personsvc-soak-")), "p.db") });
  const transports = transportsFor(service.baseUrl);
  const clients = ["gRPC (h2c)", "gRPC-Web (HTTP/1.1)", "Connect JSON (HTTP/1.1)", "Connect binary (HTTP/1.1)", "Connect GET (HTTP/1.1)"].map((p) => personClient(transports[p]!));
  const latencies: number[] = [];
  const errors: string[] = [];
  let n = 0;

  /** One unit of mixed work: create, get, list, update, delete, on a protocol chosen in turn. */
  async function mixed(measure: boolean) {
    const client = clients[n++ % clients.length]!;
    const started = performance.now();
    try {
      const { person } = await client.createPerson({ firstName: "Soak", lastName: `L${n % 500}` });
      await client.getPerson({ id: person!.id });
      await client.listPeople({ pageSize: 10 });
      const rest = await restGet(`${service.baseUrl}/api/v1/person/${person!.id}`);
      if (rest !== 200) throw new Error(`REST ${rest}`);
      const { person: updated } = await client.updatePerson({ id: person!.id, firstName: "Soaked", lastName: person!.lastName, etag: person!.etag });
      await client.deletePerson({ id: person!.id, etag: updated!.etag });
    } catch (e) {
      errors.push(String(e));
    }
    if (measure) latencies.push((performance.now() - started) / 6);
  }

  async function drive(forSeconds: number, measure: boolean) {
    const pending: Promise<void>[] = [];
    const interval = 1000 / (rate / 6);
    const until = performance.now() + forSeconds * 1000;
    for (let next = performance.now(); next < until; next += interval) {
      await sleep(Math.max(0, next - performance.now()));
      pending.push(mixed(measure));
    }
    await Promise.all(pending);
  }

  try {
    await drive(warmupSeconds, false);
    // Counting fds pauses the traffic for ~0.5 s: the service is idle then, and may compact.
    const trafficPausedAt = Date.now();
    const fdsStart = await serviceFds(service.child.pid!);
    const rssStart = rssMb(service.child.pid!);
    await drive(seconds, true);
    const fdsEnd = await serviceFds(service.child.pid!);
    const rssEnd = rssMb(service.child.pid!);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    console.log(`# soak: ${latencies.length * 6} calls in ${seconds} s, ${errors.length} errors, p99 ${p99.toFixed(1)} ms per call, RSS ${rssStart.toFixed(0)} -> ${rssEnd.toFixed(0)} MB (${(((rssEnd - rssStart) / rssStart) * 100).toFixed(1)}%), fds ${fdsStart} -> ${fdsEnd}`);
    result = { errors, p99, rssStart, rssEnd, fdsStart, fdsEnd, compacted: service.logs.some((l) => l.msg === "heap compacted after start-up" && Date.parse(String(l.time)) < trafficPausedAt) };
  } finally {
    service.child.kill("SIGTERM");
    await service.exited;
  }
});

test(`soak (${seconds} s, mixed traffic on every protocol at ${rate}/s): 0 errors, bounded p99, no growth in open handles`, () => {
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.ok(result.p99 < 250, `p99 ${result.p99} ms`);
  assert.ok(result.fdsEnd <= result.fdsStart + 2, `open handles grew from ${result.fdsStart} to ${result.fdsEnd}`);
  assert.equal(result.compacted, false, "light traffic from the start: the idle heap compaction (a ~70 ms pause) did not run while it lasted");
});

// RSS used to climb for minutes under load: V8 grew the young generation to
// its 128 MB maximum. The service runs with it capped (package.json
// config.node_flags, which spawnService uses as npm start does).
test("soak: memory flat (RSS at the end within 15% of RSS after warm-up)", () => {
  assert.ok(result.rssEnd <= result.rssStart * 1.15, `RSS grew from ${result.rssStart.toFixed(0)} to ${result.rssEnd.toFixed(0)} MB`);
});
