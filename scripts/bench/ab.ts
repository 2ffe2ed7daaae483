/**
 * `npm run bench:ab -- <other checkout>`: is this build faster than another
 * one? The other checkout's bundle (A: <other>/dist, built there, with its
 * node_modules) and this one's (B: ./dist, built first) share core 0 and are
 * loaded at the same time from core 1, so the machine's stalls and drift hit
 * both alike: B/A of their req/s is A's CPU per request over B's. Against
 * itself a build measures 1.00 to 1.065 (4 rounds of 4 s), so only a median
 * beyond that says anything. BENCH_AB_SCENARIO: grpc (h2c, default), json
 * (Connect JSON over HTTP/1.1) or rest (GET); BENCH_SECONDS, BENCH_REPS.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { getPersonBodies } from "./fixtures.ts";
import { h2load, wrk, type LoadResult, type Target } from "./load.ts";

const other = process.argv[2];
if (!other) throw new Error("usage: npm run bench:ab -- <path of the checkout to compare with (built: npm ci && npm run build)>");
const scenario = process.env.BENCH_AB_SCENARIO ?? "grpc";
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_REPS ?? 5);
const nodeFlags = (JSON.parse(readFileSync("package.json", "utf8")) as { config: { node_flags: string } }).config.node_flags.split(" ");

interface Side {
  readonly child: ChildProcess;
  readonly target: Target;
  readonly dir: string;
}

/** Starts `root`'s bundle on core 0 and returns the GetPerson request of the scenario against it. */
async function start(root: string, port: number): Promise<Side> {
  const child = spawn("taskset", ["-c", "0", process.execPath, ...nodeFlags, join(root, "dist/main.js")], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", SQLITE_PATH: ":memory:", LOG_LEVEL: "info", MALLOC_ARENA_MAX: "2" },
  });
  const base = `http://127.0.0.1:${port}`;
  for (let waited = 0; !(await fetch(`${base}/readyz`).then((r) => r.ok, () => false)); waited += 20) {
    if (waited > 20_000) throw new Error(`${root} did not come up`);
    await sleep(20);
  }
  const created = await fetch(`${base}/api/v1/person`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"firstName":"Ada","lastName":"Lovelace"}' });
  const { id } = (await created.json()) as { id: string };
  const bodies = getPersonBodies(id);
  const rpc = `${base}/person.v1.PersonService/GetPerson`;
  const target: Target =
    scenario === "rest"
      ? { url: `${base}/api/v1/person/${id}`, method: "GET", headers: {} }
      : scenario === "json"
        ? { url: rpc, method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from(bodies.json) }
        : { url: rpc, method: "POST", headers: { "content-type": "application/grpc", te: "trailers" }, body: bodies.grpc };
  return { child, target, dir: mkdtempSync(join(tmpdir(), "personsvc-ab-")) };
}

const load = (side: Side): Promise<LoadResult> => (scenario === "grpc" ? h2load(side.target, seconds, side.dir) : wrk(side.target, seconds, side.dir));

execFileSync(process.execPath, ["scripts/build.ts"], { stdio: "inherit" });
const port = 19500 + Math.floor(Math.random() * 400) * 2;
const a = await start(resolve(other), port);
const b = await start(resolve("."), port + 1);
try {
  await Promise.all([load(a), load(b)]); // warm-up
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const [ra, rb] = await Promise.all([load(a), load(b)]);
    ratios.push(rb.rps / ra.rps);
    console.log(`round ${round}: A ${ra.rps.toFixed(0)} req/s, B ${rb.rps.toFixed(0)} req/s, B/A ${(rb.rps / ra.rps).toFixed(3)}`);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  console.log(`${scenario}: B/A median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} (${sorted[0]!.toFixed(3)} to ${sorted.at(-1)!.toFixed(3)})`);
} finally {
  a.child.kill("SIGTERM");
  b.child.kill("SIGTERM");
}
