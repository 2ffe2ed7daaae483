import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnService, type ServiceProcess } from "../support/spawn-service.ts";
import { personClient, transportsFor } from "../support/clients.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const app = mkdtempSync(join(tmpdir(), "personsvc-prod-"));

/** What the image holds: the tracked sources, the generated code, production dependencies only. */
before(() => {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
  for (const file of files.filter((f) => existsSync(join(root, f)))) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    cpSync(join(root, file), join(app, file));
  }
  cpSync(join(root, "gen"), join(app, "gen"), { recursive: true });
  execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app, stdio: "pipe" });
});
after(() => rmSync(app, { recursive: true, force: true }));

const healthcheck = (port: number) =>
  spawnSync(process.execPath, [join(app, "src/healthcheck.ts")], { cwd: app, env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 10_000 }).status;

let service: ServiceProcess;
test("a production install (npm ci --omit=dev) starts as the image does and serves gRPC and REST", async () => {
  assert.equal(spawnSync(process.execPath, ["-e", "import('typescript')"], { cwd: app }).status, 1, "dev dependencies are absent");
  service = await spawnService({ SQLITE_PATH: join(app, "data/people.db"), NODE_ENV: "production" }, join(app, "src/main.js"));
  const grpc = personClient(transportsFor(service.baseUrl)["gRPC (h2c)"]!);
  const { person } = await grpc.createPerson({ firstName: "Prod", lastName: "Install" });
  const rest = await fetch(`${service.baseUrl}/api/v1/person/${person!.id}`);
  assert.equal(rest.status, 200);
  assert.equal(((await rest.json()) as { lastName: string }).lastName, "Install");
  assert.equal((await fetch(`${service.baseUrl}/docs`)).status, 200);
});

test("the health-check entry point exits 0 while healthy and non-zero when not; SIGTERM drains and exits 0", async () => {
  assert.equal(healthcheck(service.port), 0);
  service.child.kill("SIGTERM");
  assert.equal(await service.exited, 0);
  assert.notEqual(healthcheck(service.port), 0);
});
