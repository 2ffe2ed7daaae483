/**
 * Entry point of the production bundle (`dist/main.cjs`, what the image and
 * `npm run start:prod` run): runs `dist/service.cjs`, the service and the
 * packages it loads at start-up in one CommonJS file, with the V8 code cache
 * that start-up leaves (cached-script.ts), and enables Node's compile cache
 * for the packages left in node_modules. Both caches live in Node's compile
 * cache directory for this Node version and these V8 flags (under
 * NODE_COMPILE_CACHE, default: the OS temp directory);
 * NODE_DISABLE_COMPILE_CACHE=1 turns both off. The "listening" log line says
 * what became of the code cache (`codeCache`, `codeCacheWrite`). Built as
 * CommonJS, like the service: with no ES module to load, Node does not set
 * up its ESM loader (~5 ms of start-up).
 */
import { constants, enableCompileCache, flushCompileCache } from "node:module";
import { fileURLToPath } from "node:url";
import { runCachedScript } from "./adapters/system/cached-script.ts";
import type * as Service from "./service.ts";

/** A hash of `dist/service.cjs`, set by the build (scripts/build.ts). */
declare const SERVICE_BUNDLE_ID: string;

const compileCache = enableCompileCache();
const { ENABLED, ALREADY_ENABLED } = constants.compileCacheStatus;
const cacheDir = compileCache.status === ENABLED || compileCache.status === ALREADY_ENABLED ? compileCache.directory : undefined;
const service = runCachedScript(fileURLToPath(new URL("./service.cjs", import.meta.url)), { dir: cacheDir, id: SERVICE_BUNDLE_ID });

// A rejection ends the process, as any unhandled one does.
void (service.exports as typeof Service).main({
  onListening() {
    flushCompileCache();
    const write = service.saveCodeCache();
    return { codeCache: service.cache, ...(write === "written" || write === "unwritable" ? { codeCacheWrite: write } : {}) };
  },
});
