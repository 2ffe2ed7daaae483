import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCachedScript } from "../../src/adapters/system/cached-script.ts";

const dir = mkdtempSync(join(tmpdir(), "personsvc-cached-script-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS file whose `work` is compiled only once it is called (V8 compiles functions lazily). */
const script = join(dir, "bundle.cjs");
writeFileSync(
  script,
  `"use strict";
exports.filename = __filename;
exports.sloppy = (function () { return this; })() !== undefined;
exports.join = require("node:path").join("a", "b");
exports.work = function (n) {
  const parts = [];
  for (let i = 0; i < n; i++) parts.push({ i, square: i * i, text: String(i).padStart(4, "0") });
  return parts.reduce((sum, p) => sum + p.square + p.text.length, 0);
};
`,
);
type Exports = { filename: string; sloppy: boolean; join: string; work(n: number): number };
/**
 * Runs the script in a new process, as a start would (V8 keeps compiled
 * scripts in memory too: in this process a second run would not even read the
 * cache), and saves its cache: [cache, save, work(3)].
 */
const startInChild = (cacheDir: string, id: string) => {
  const code = `import { runCachedScript } from ${JSON.stringify(new URL("../../src/adapters/system/cached-script.ts", import.meta.url).href)};
const s = runCachedScript(${JSON.stringify(script)}, { dir: ${JSON.stringify(cacheDir)}, id: ${JSON.stringify(id)} });
const work = s.exports.work(3);
console.log(JSON.stringify([s.cache, s.saveCodeCache(), work]));`;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" })) as [string, string, number];
};
const cacheFiles = (cacheDir: string) => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith(".v8cache")) : []);

test("a script runs as CommonJS (exports, require, __filename, strict mode kept); its cache is written on request, then accepted", () => {
  const cacheDir = join(dir, "cache");
  const first = runCachedScript(script, { dir: cacheDir, id: "b1" });
  const exports = first.exports as Exports;
  assert.equal(exports.filename, script);
  assert.equal(exports.join, join("a", "b"));
  assert.equal(exports.sloppy, false, "the file's 'use strict' applies");
  assert.equal(first.cache, "absent");
  assert.deepEqual(cacheFiles(cacheDir), [], "nothing is written before start-up says so");
  assert.equal(first.saveCodeCache(), "written");
  assert.equal(first.saveCodeCache(), "written", "saved once");
  assert.deepEqual(cacheFiles(cacheDir), ["bundle.cjs-b1.v8cache"]);
  assert.deepEqual(readdirSync(cacheDir).filter((f) => f.endsWith(".tmp")), []);

  assert.deepEqual(startInChild(cacheDir, "b1"), ["accepted", "kept", 17], "the next start");
});

test("the cache holds what ran before it was saved: functions V8 compiled lazily are in it", () => {
  const idle = runCachedScript(script, { dir: join(dir, "idle"), id: "b1" });
  assert.equal(idle.saveCodeCache(), "written");
  const used = runCachedScript(script, { dir: join(dir, "used"), id: "b1" });
  (used.exports as Exports).work(100);
  assert.equal(used.saveCodeCache(), "written");
  const size = (d: string) => statSync(join(dir, d, "bundle.cjs-b1.v8cache")).size;
  assert.ok(size("used") > size("idle"), `with work() compiled: ${size("used")} bytes, without: ${size("idle")}`);
});

test("another build's id never reads this one's cache; a cache V8 refuses is replaced", () => {
  const cacheDir = join(dir, "builds");
  runCachedScript(script, { dir: cacheDir, id: "b1" }).saveCodeCache();
  const other = runCachedScript(script, { dir: cacheDir, id: "b2" });
  assert.equal(other.cache, "absent");
  assert.equal(other.saveCodeCache(), "written");
  assert.deepEqual(cacheFiles(cacheDir).sort(), ["bundle.cjs-b1.v8cache", "bundle.cjs-b2.v8cache"], "earlier builds' caches are left, as Node leaves its own");

  writeFileSync(join(cacheDir, "bundle.cjs-b1.v8cache"), Buffer.alloc(4096, 7));
  assert.deepEqual(startInChild(cacheDir, "b1"), ["rejected", "written", 17], "the script runs all the same");
  assert.deepEqual(startInChild(cacheDir, "b1"), ["accepted", "kept", 17]);
});

test("no directory: the cache is off; a directory that cannot be made: the script runs, the write is reported", () => {
  const off = runCachedScript(script, { dir: undefined, id: "b1" });
  assert.equal(off.cache, "off");
  assert.equal(off.saveCodeCache(), "off");
  assert.equal((off.exports as Exports).join, join("a", "b"));

  const blocked = runCachedScript(script, { dir: join(script, "not-a-directory"), id: "b1" });
  assert.equal(blocked.cache, "absent");
  assert.equal(blocked.saveCodeCache(), "unwritable");
});
