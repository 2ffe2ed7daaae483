import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnService, type ServiceProcess } from "../support/spawn-service.ts";

/** Creates a person over REST and reads it back `reads` times; resolves with the request ids the service answered with. */
async function traffic(svc: ServiceProcess, reads: number): Promise<string[]> {
  const created = await fetch(`${svc.baseUrl}/api/v1/person`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ firstName: "Ada", lastName: "Lovelace" }),
  });
  assert.equal(created.status, 200);
  const { id } = (await created.json()) as { id: string };
  const ids: string[] = [];
  for (let done = 0; done < reads; done += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => fetch(`${svc.baseUrl}/api/v1/person/${id}`)));
    for (const res of batch) {
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      ids.push(res.headers.get("x-request-id")!);
    }
  }
  return ids;
}

test("a log reader that stops reading does not stop the service; every line arrives once it reads again", async () => {
  const svc = await spawnService({ SQLITE_PATH: ":memory:" });
  try {
    svc.child.stdout!.pause(); // the pipe (64 KiB) fills after ~200 lines
    const ids = await traffic(svc, 2000);
    const seen = () => new Set(svc.logs.map((l) => l.requestId));
    assert.ok(ids.filter((id) => seen().has(id)).length < ids.length, "lines were held back while nobody read");
    svc.child.stdout!.resume();
    for (let waited = 0; ids.some((id) => !seen().has(id)); waited += 50) {
      assert.ok(waited < 10_000, "every request's line arrives");
      await sleep(50);
    }
    assert.ok(!svc.logs.some((l) => String(l.msg).startsWith("log lines dropped")), "none was dropped");
  } finally {
    svc.child.kill("SIGTERM");
    assert.equal(await svc.exited, 0);
  }
});

test("a log reader that goes away (broken pipe) ends the logs, not the service, which still shuts down cleanly", async () => {
  const svc = await spawnService({ SQLITE_PATH: ":memory:" });
  svc.child.stdout!.destroy();
  await sleep(100);
  const ids = await traffic(svc, 200);
  assert.equal(new Set(ids).size, 200);
  svc.child.kill("SIGTERM");
  assert.equal(await svc.exited, 0);
});
