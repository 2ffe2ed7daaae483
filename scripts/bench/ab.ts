/**
 * `npm run bench:ab -- <other checkout>`: is this build faster than another
 * one? The other checkout's bundle (A: <other>/dist, built there, with its
 * node_modules) and this one's (B: ./dist, built first) share core 0 and are
 * loaded at the same time from core 1 (side-by-side.ts): B/A of their req/s
 * is A's CPU per request over B's. Against itself a build measures 1.00 to
 * 1.065 (4 rounds of 4 s), so only a median beyond that says anything. BENCH_AB_SCENARIO: grpc (h2c, default), json
 * (Connect JSON over HTTP/1.1) or rest (GET); BENCH_SECONDS, BENCH_REPS.
 * BENCH_AB_ENV_A / BENCH_AB_ENV_B: environment (JSON) for one side, to compare
 * two settings of one build (`npm run bench:ab -- .`).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getPersonBodies } from "./fixtures.ts";
import { h2load, wrk, type LoadResult, type Target } from "./load.ts";
import { startService, type Server } from "./servers.ts";
import { sideBySide } from "./side-by-side.ts";

const other = process.argv[2];
if (!other) throw new Error("usage: npm run bench:ab -- <path of the checkout to compare with (built: npm ci && npm run build)>");
const scenario = process.env.BENCH_AB_SCENARIO ?? "grpc";
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_REPS ?? 5);
interface Side {
  readonly server: Server;
  readonly target: Target;
  readonly dir: string;
}

/** Starts `root`'s bundle on core 0 (with `root`'s node flags) and returns the GetPerson request of the scenario against it. */
async function start(root: string, port: number, env: string | undefined): Promise<Side> {
  const server = await startService({ port, root, people: 1, env: env ? (JSON.parse(env) as Record<string, string>) : {} });
  const bodies = getPersonBodies(server.id);
  const rpc = `${server.h2}/person.v1.PersonService/GetPerson`;
  const target: Target =
    scenario === "rest"
      ? { url: `${server.h1}/api/v1/person/${server.id}`, method: "GET", headers: {} }
      : scenario === "json"
        ? { url: rpc, method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from(bodies.json) }
        : { url: rpc, method: "POST", headers: { "content-type": "application/grpc", te: "trailers" }, body: bodies.grpc };
  return { server, target, dir: mkdtempSync(join(tmpdir(), "personsvc-ab-")) };
}

const load = (side: Side): Promise<LoadResult> => (scenario === "grpc" ? h2load(side.target, seconds, side.dir) : wrk(side.target, seconds, side.dir));

execFileSync(process.execPath, ["scripts/build.ts"], { stdio: "inherit" });
const port = 19500 + Math.floor(Math.random() * 400) * 2;
const a = await start(resolve(other), port, process.env.BENCH_AB_ENV_A);
const b = await start(resolve("."), port + 1, process.env.BENCH_AB_ENV_B);
try {
  const series = await sideBySide(() => load(a), () => load(b), [a.server.child.pid!, b.server.child.pid!], rounds, (round, r) =>
    console.log(`round ${round}: A ${r.a.toFixed(0)} req/s on ${r.cpuA.toFixed(2)} CPU s, B ${r.b.toFixed(0)} req/s on ${r.cpuB.toFixed(2)} CPU s, B/A ${r.ratio.toFixed(3)}, per CPU-second ${r.perCpu.toFixed(3)}`),
  );
  const { perCpu } = series;
  console.log(`${scenario}: B/A median ${series.ratio.toFixed(3)} (${series.min.toFixed(3)} to ${series.max.toFixed(3)}); per CPU-second ${perCpu.ratio.toFixed(3)} (${perCpu.min.toFixed(3)} to ${perCpu.max.toFixed(3)})`);
} finally {
  a.server.child.kill("SIGTERM");
  b.server.child.kill("SIGTERM");
}
