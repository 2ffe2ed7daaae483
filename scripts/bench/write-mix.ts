/**
 * The write mix of the original service's load test: 8 concurrent clients,
 * each creating, reading and deleting a person, for <seconds>, over gRPC.
 * Prints one JSON line: operations/s, p50/p99 per operation, errors.
 * Usage: node scripts/bench/write-mix.ts <baseUrl> <seconds>
 */
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { PersonService } from "../../gen/person/v1/person_pb.js";

const [baseUrl, seconds] = [process.argv[2]!, Number(process.argv[3] ?? 5)];
const client = createClient(PersonService, createGrpcTransport({ baseUrl }));
const latencies: number[] = [];
let errors = 0;
const until = performance.now() + seconds * 1000;

async function timed<T>(call: () => Promise<T>): Promise<T | undefined> {
  const start = performance.now();
  try {
    return await call();
  } catch {
    errors++;
    return undefined;
  } finally {
    latencies.push(performance.now() - start);
  }
}

async function worker(n: number) {
  for (let i = 0; performance.now() < until; i++) {
    const created = await timed(() => client.createPerson({ firstName: `W${n}`, lastName: `Mix${i}` }));
    const id = created?.person?.id;
    if (!id) continue;
    await timed(() => client.getPerson({ id }));
    await timed(() => client.deletePerson({ id }));
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: 8 }, (_, n) => worker(n)));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(JSON.stringify({ rps: latencies.length / elapsed, p50ms: at(50), p99ms: at(99), errors }));
