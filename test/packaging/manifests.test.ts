import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse } from "yaml";
import { loadConfig } from "../../src/config/config.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(root + path, "utf8");
const k8s = readdirSync(root + "deploy/k8s")
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => d.toJS() as Record<string, any>));
const byKind = (kind: string) => k8s.find((d) => d.kind === kind)!;
const servicePort = loadConfig({}).PORT;

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
test.after(() => server.close());

test("every Kubernetes manifest and compose.yaml parses; kustomization lists every manifest", () => {
  assert.ok(k8s.length >= 7);
  const kustomization = parse(read("deploy/k8s/kustomization.yaml")) as { resources: string[] };
  for (const file of kustomization.resources) assert.ok(existsSync(root + "deploy/k8s/" + file), file);
  parse(read("compose.yaml"));
  parse(read("deploy/compose/envoy.yaml"));
});

test("Kubernetes: non-root, read-only root, no capabilities, no privilege escalation, seccomp RuntimeDefault", () => {
  const pod = byKind("Deployment").spec.template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.runAsUser, 65532);
  assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
  assert.equal(pod.automountServiceAccountToken, false);
  const [container] = pod.containers;
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(container.securityContext.capabilities.drop, ["ALL"]);
  assert.ok(container.resources.limits.memory && container.resources.requests.cpu);
});

test("Kubernetes: probes and ports point at what the service really serves", async () => {
  const pod = byKind("Deployment").spec.template.spec;
  const [container] = pod.containers;
  assert.equal(container.ports[0].containerPort, servicePort);
  const config = byKind("ConfigMap").data;
  assert.equal(Number(config.PORT), servicePort);
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    const { path, port } = container[probe].httpGet;
    assert.equal(port, "http");
    const res = await fetch(server.baseUrl + path);
    assert.equal(res.status, 200, `${probe} ${path}`);
  }
  assert.equal(container.readinessProbe.httpGet.path, "/readyz");
  const service = byKind("Service");
  assert.equal(service.spec.ports[0].appProtocol, "kubernetes.io/h2c");
  assert.equal(service.spec.ports[0].targetPort, "http");
  // Kubernetes waits longer than the service drains (delay + timeout).
  const drainSeconds = (Number(config.SHUTDOWN_DELAY_MS) + Number(config.SHUTDOWN_TIMEOUT_MS)) / 1000;
  assert.ok(pod.terminationGracePeriodSeconds > drainSeconds);
  assert.ok(byKind("PodDisruptionBudget").spec.minAvailable >= 1);
  assert.equal(byKind("HorizontalPodAutoscaler").spec.scaleTargetRef.name, "personsvc");
  // Every config key is a variable the service knows (a typo would be silently ignored).
  const known = Object.keys(loadConfig({}));
  for (const key of Object.keys(config)) {
    if (!key.startsWith("OTEL_")) assert.ok(known.includes(key) || key.endsWith("_FILE"), key);
  }
});

test("compose: hardened services, secrets as files, the port and health path the service serves", () => {
  const compose = parse(read("compose.yaml"), { merge: true }) as { services: Record<string, any>; secrets: Record<string, any> };
  for (const name of ["personsvc", "personsvc-embedded", "proxy"]) {
    const s = compose.services[name];
    assert.equal(s.read_only, true, name);
    assert.deepEqual(s.cap_drop, ["ALL"], name);
    assert.ok(s.security_opt.includes("no-new-privileges:true"), name);
    assert.ok(s.mem_limit, name);
  }
  const svc = compose.services.personsvc;
  assert.equal(svc.user, "65532:65532");
  assert.equal(svc.deploy.replicas, 3);
  assert.deepEqual(svc.expose, [String(servicePort)]);
  assert.ok(!JSON.stringify(compose.services).match(/PASSWORD"?:\s*"[^/]/), "no password literal in the environment");
  assert.equal(svc.environment.MSSQL_PASSWORD_FILE, "/run/secrets/mssql_sa_password");
  assert.ok(compose.secrets.mssql_sa_password.file);
  assert.deepEqual(compose.services["personsvc-embedded"].profiles, ["embedded"]);
  const envoy = read("deploy/compose/envoy.yaml");
  assert.match(envoy, /http2_protocol_options/);
  assert.match(envoy, new RegExp(`port_value: ${servicePort}`));
  assert.match(envoy, /path: \/readyz/);
});

test("Containerfile: every COPY source exists in the context or is produced by the build stage", () => {
  const lines = read("Containerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const ignored = read(".containerignore").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\n");
  let stage = "";
  const built = new Set<string>();
  const made = new Set<string>(); // empty directories the build stage creates
  for (const line of lines) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\w+))?/i.exec(line);
    if (from) stage = from[1] ?? "runtime";
    const run = /^RUN\s+(.*)/.exec(line);
    if (run && stage === "build") {
      if (/npm ci/.test(run[1]!)) built.add("node_modules");
      if (/npm run generate/.test(run[1]!)) built.add("gen");
      if (/npm run build/.test(run[1]!)) built.add("dist");
      for (const dir of run[1]!.matchAll(/mkdir -p \/app\/(\S+)/g)) made.add(dir[1]!);
      for (const file of run[1]!.matchAll(/\bcp\s+(?:"[^"]*"|\S+)\s+(\/\S+)/g)) made.add(file[1]!); // files copied out of a package (jemalloc)
    }
    const copy = /^COPY\s+(--from=(\w+)\s+)?(?:--\S+\s+)*(.+)\s+(\S+)$/.exec(line);
    if (!copy) continue;
    for (const source of copy[3]!.split(/\s+/)) {
      if (copy[2] === "build") {
        const path = source.replace(/^\/app\//, "");
        if (made.has(path) || made.has(source)) continue;
        assert.ok(built.has(path) || tracked.some((f) => f === path || f.startsWith(path + "/")), `COPY --from=build ${source}`);
        assert.ok(existsSync(root + path), `${path} exists after the build steps (here: after npm ci, generate and build)`);
      } else {
        assert.ok(tracked.some((f) => f === source || f.startsWith(source + "/")), `COPY ${source} is in the repository`);
        assert.ok(!ignored.includes(source), `COPY ${source} is not excluded by .containerignore`);
      }
    }
  }
  assert.ok(statSync(root + "src/healthcheck.ts").isFile());
  assert.match(read("Containerfile"), /HEALTHCHECK .*src\/healthcheck\.ts/);
  assert.match(read("Containerfile"), /^USER 65532:65532$/m);
});

test("the image starts node with the same flags as npm start (package.json config.node_flags)", () => {
  const pkg = JSON.parse(read("package.json")) as { config: { node_flags: string }; scripts: Record<string, string> };
  const flags = pkg.config.node_flags.split(" ");
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(read("Containerfile"))![1]!) as string[];
  assert.deepEqual(entrypoint.slice(1), flags);
  assert.match(pkg.scripts.start!, /\$npm_package_config_node_flags src\/main\.js/);
  assert.match(pkg.scripts["start:prod"]!, /\$npm_package_config_node_flags dist\/main\.cjs/);
  assert.match(read("Containerfile"), /^CMD \["dist\/main\.cjs"\]$/m);
});

test("the image fills Node's compile cache at build time with the runtime's node and user (a cache is per version, flags and user id)", () => {
  const containerfile = read("Containerfile");
  const runtime = containerfile.slice(containerfile.lastIndexOf("\nFROM "));
  assert.match(runtime, /^\s+NODE_COMPILE_CACHE=\/app\/\.compile-cache$/m);
  const user = runtime.indexOf("\nUSER 65532:65532\n");
  const warm = runtime.indexOf('\nRUN ["/nodejs/bin/node", "src/warm-compile-cache.ts"]\n');
  assert.ok(user > 0 && warm > user, "warmed in the runtime stage, as the service's user");
  assert.ok(runtime.indexOf("COPY --from=build /app/dist ./dist") < warm, "after the bundle is in place");
  assert.match(runtime, /^ENTRYPOINT \["\/nodejs\/bin\/node"/m);
});

test("the image and the benchmark cap glibc's malloc arenas alike (MALLOC_ARENA_MAX=2)", () => {
  assert.match(read("Containerfile"), /^\s+MALLOC_ARENA_MAX=2( \\)?$/m);
  assert.match(read("scripts/bench/servers.ts"), /MALLOC_ARENA_MAX: "2"/);
});

test("the image preloads the jemalloc it copies from the build stage; the benchmark puts every server on one allocator, the image's with BENCH_ALLOCATOR=jemalloc", () => {
  const containerfile = read("Containerfile");
  const runtimeAt = containerfile.lastIndexOf("\nFROM ");
  const build = containerfile.slice(0, runtimeAt);
  const runtime = containerfile.slice(runtimeAt);
  assert.match(build, /apt-get install [^\n]*\blibjemalloc2\b/);
  assert.match(build, /cp "\$\(dpkg -L libjemalloc2 \| grep '\/libjemalloc\\\.so\\\.2\$'\)" \/opt\/jemalloc\/libjemalloc\.so\.2$/m);
  assert.match(runtime, /^COPY --from=build \/opt\/jemalloc\/libjemalloc\.so\.2 \/usr\/local\/lib\/libjemalloc\.so\.2$/m);
  assert.match(runtime, /^\s+LD_PRELOAD=\/usr\/local\/lib\/libjemalloc\.so\.2 \\$/m);
  assert.ok(runtime.indexOf("LD_PRELOAD=") < runtime.indexOf('RUN ["/nodejs/bin/node", "src/warm-compile-cache.ts"]'), "the cache is warmed on the allocator the service runs on");
  const servers = read("scripts/bench/servers.ts");
  assert.equal(servers.match(/env: baselineEnv\(\)/g)?.length, 2, "bare, stock and grpc-js");
  assert.match(servers, /MALLOC_ARENA_MAX: "2", \.\.\.allocatorEnv\(\)/);
  assert.match(read("scripts/bench/load.ts"), /"libjemalloc2"\]/);
  assert.match(read("scripts/bench/allocator.ts"), /return \{ LD_PRELOAD: path \};/);
});

test("justfile verbs delegate to npm scripts that exist", () => {
  const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
  const calls = [...read("justfile").matchAll(/^\s+npm (?:run )?([\w:]+)/gm)].map((m) => m[1]!);
  assert.ok(calls.length >= 6);
  for (const name of calls) assert.ok(name === "test" || name === "start" || scripts.includes(name), `npm run ${name}`);
});
