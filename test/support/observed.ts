import { setTimeout as sleep } from "node:timers/promises";
import type { TestServer } from "./test-server.ts";

/** The service's in-flight gauge for one protocol, from /metrics. */
export async function inFlight(server: TestServer, protocol: string): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`rpc_server_in_flight_requests{protocol="${protocol}"}`));
  return Number(line?.split(" ").at(-1) ?? 0);
}

/**
 * The log lines of one request: waits (up to 3 s) for the first, then 100 ms
 * more, so that a second line, if the call ends twice, is there too.
 */
export async function linesOf(server: TestServer, requestId: string): Promise<Array<Record<string, unknown>>> {
  const mine = () => server.logs.filter((l) => l.requestId === requestId);
  for (let waited = 0; waited < 3000 && mine().length === 0; waited += 50) await sleep(50);
  await sleep(100);
  return mine();
}
