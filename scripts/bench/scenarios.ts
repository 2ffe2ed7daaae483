import { getPersonBodies } from "./fixtures.ts";
import { h2load, wrk, type LoadResult, type Target } from "./load.ts";
import type { Server } from "./servers.ts";

/** A load the benchmarks run: its generator (h2load-h1: h2load over HTTP/1.1, for a fixed rate), and the request it sends to a server (undefined: the server cannot take it). */
export type Scenario = { name: string; tool: "h2load" | "wrk" | "h2load-h1"; target: (s: Server) => Target | undefined };
/** A scenario other than gRPC skips the gRPC-only baseline. */
const notGrpcOnly = (scenario: Scenario): Scenario => ({ ...scenario, target: (s) => (s.grpcOnly ? undefined : scenario.target(s)) });
/** GetPerson over every protocol, then REST GET. */
export const scenarios: Scenario[] = [
  { name: "gRPC h2c", tool: "h2load", target: (s) => ({ url: `${s.h2}/person.v1.PersonService/GetPerson`, method: "POST", headers: { "content-type": "application/grpc", te: "trailers" }, body: getPersonBodies(s.id).grpc }) },
  ...([
    { name: "Connect JSON HTTP/1.1", tool: "wrk", target: (s) => ({ url: `${s.h1}/person.v1.PersonService/GetPerson`, method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from(getPersonBodies(s.id).json) }) },
    { name: "Connect JSON h2c", tool: "h2load", target: (s) => ({ url: `${s.h2}/person.v1.PersonService/GetPerson`, method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from(getPersonBodies(s.id).json) }) },
    { name: "Connect binary HTTP/1.1", tool: "wrk", target: (s) => ({ url: `${s.h1}/person.v1.PersonService/GetPerson`, method: "POST", headers: { "content-type": "application/proto" }, body: Buffer.from(getPersonBodies(s.id).binary) }) },
    { name: "gRPC-Web HTTP/1.1", tool: "wrk", target: (s) => ({ url: `${s.h1}/person.v1.PersonService/GetPerson`, method: "POST", headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" }, body: getPersonBodies(s.id).grpc }) },
    { name: "REST GET HTTP/1.1", tool: "wrk", target: (s) => (s.name === "stock" ? undefined : { url: `${s.h1}/api/v1/person/${s.id}`, method: "GET", headers: {} }) },
  ] satisfies Scenario[]).map(notGrpcOnly),
];

/** One run of `scenario`'s generator against `target` (`rate`: req/s in all, h2load only; wrk runs flat out). */
export function loadWith(scenario: Scenario, target: Target, seconds: number, dir: string, rate?: number): Promise<LoadResult> {
  return scenario.tool === "wrk" ? wrk(target, seconds, dir) : h2load(target, seconds, dir, rate, scenario.tool === "h2load-h1");
}
