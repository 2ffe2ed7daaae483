/**
 * Fills the compile cache for the production bundle: starts `dist/main.cjs`
 * once with package.json's `config.node_flags` (in memory, on an ephemeral
 * port), waits until it listens (it writes the bundle's code cache then,
 * src/bundle-main.ts) and stops it. The image runs this at build time, so
 * that its first start does not compile everything it loads (a ~450 ms first
 * response instead of ~320 ms on the benchmark's VM). Node keeps one cache
 * directory per Node version, V8 flags and user id, so it must run with the
 * runtime's node, flags and user; `NODE_COMPILE_CACHE` names the directory.
 * Exits 1 if the service does not listen within 60 s, or does not say it
 * wrote the code cache.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const cacheDir = process.env.NODE_COMPILE_CACHE;
const fail = (why: string): never => {
  process.stderr.write(`warm-compile-cache: ${why}\n`);
  process.exit(1);
};
if (!cacheDir) fail("NODE_COMPILE_CACHE is not set");

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { config: { node_flags: string } };
const child = spawn(process.execPath, [...pkg.config.node_flags.split(" "), join(root, "dist/main.cjs")], {
  env: { ...process.env, HOST: "127.0.0.1", PORT: "0", SQLITE_PATH: ":memory:", LOG_LEVEL: "info", STORE: "sqlite" },
  stdio: ["ignore", "pipe", "inherit"],
});
const timer = setTimeout(() => {
  child.kill("SIGKILL");
  fail("the service did not listen within 60 s");
}, 60_000);
let listening: { codeCache?: string; codeCacheWrite?: string } | undefined;
createInterface({ input: child.stdout! }).on("line", (line) => {
  if (!line.includes('"msg":"listening"')) return;
  listening = JSON.parse(line) as typeof listening;
  child.kill("SIGTERM");
});
child.on("exit", (code, signal) => {
  clearTimeout(timer);
  if (code !== 0) fail(`the service exited with ${code ?? signal}`);
  const { codeCache, codeCacheWrite } = listening ?? {};
  if (codeCache !== "accepted" && codeCacheWrite !== "written") fail(`the code cache was ${codeCache}, its write ${codeCacheWrite} (${cacheDir})`);
  process.stdout.write(`warm-compile-cache: code cache ${codeCache === "accepted" ? "already there" : "written"} in ${cacheDir}\n`);
});
