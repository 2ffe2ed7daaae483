import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import vm from "node:vm";

/*
 * Why the production bundle is not simply imported: Node's compile cache
 * (module.enableCompileCache) stores what V8 compiled when it compiled a
 * module, before the module ran, and V8 compiles a function only when it is
 * first called. Everything start-up calls (Fastify's factories, the route
 * registration, protobuf-es booting its descriptors, zod building its
 * schemas) was therefore compiled again at every start. V8 can also write a
 * script's code cache after it ran, with every function compiled by then
 * (vm.Script#createCachedData): that is what this module keeps. Measured on
 * the benchmark's VM, with pino in the bundle: 361 -> 320 ms to the first
 * response, median of 15 starts.
 */

/** What became of the code cache at start-up. */
export type CodeCacheState =
  /** Read and accepted by V8: start-up compiled nothing the cache held. */
  | "accepted"
  /** There was none (first start of this bundle on this Node). */
  | "absent"
  /** V8 refused it (other V8 flags or version): everything was compiled. */
  | "rejected"
  /** No cache directory (NODE_DISABLE_COMPILE_CACHE, or none could be set up). */
  | "off";

/** What became of the code cache once start-up was over. */
export type CodeCacheSave = "kept" | "written" | "unwritable" | "off";

/** A CommonJS script run with its code cache. */
export interface CachedScript {
  /** The script's `module.exports`. */
  readonly exports: unknown;
  /** Whether the cache was used. */
  readonly cache: CodeCacheState;
  /**
   * Writes the code cache, with every function compiled so far, unless the one
   * read was accepted. Call it once start-up is over, and before any V8 flag
   * changes at run time (V8 refuses a cache made under other flags). Writes
   * a temporary file and renames it (a concurrent start reads a whole cache
   * or none). Caches of earlier builds are left behind, as Node leaves the
   * entries of its own compile cache.
   */
  saveCodeCache(): CodeCacheSave;
}

/** Where and under which name a script's code cache is kept. */
export interface CodeCacheLocation {
  /** The directory (created if missing); undefined turns the cache off. */
  readonly dir: string | undefined;
  /**
   * Names this build of the script. V8 checks a cache against its version,
   * its flags and the source's length only: a cache must never be read for
   * other source text, so the id must change whenever the text does (the
   * build uses a hash of the bundle).
   */
  readonly id: string;
}

/**
 * Runs the CommonJS file `file` (ASCII only: it is read as Latin-1, which
 * V8 keeps as one-byte text) as Node's CommonJS loader would, with the code
 * cache kept in `location`. Dynamic `import()` in it uses Node's loader.
 */
export function runCachedScript(file: string, location: CodeCacheLocation): CachedScript {
  const cacheFile = location.dir === undefined ? undefined : join(location.dir, `${basename(file)}-${location.id}.v8cache`);
  const cachedData = cacheFile === undefined ? undefined : readIfPresent(cacheFile);
  const source = readFileSync(file, "latin1");
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache: CodeCacheState = cacheFile === undefined ? "off" : cachedData === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "accepted";
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper(module.exports, createRequire(file), module, file, dirname(file));

  let saved: CodeCacheSave | undefined;
  return {
    exports: module.exports,
    cache,
    saveCodeCache() {
      saved ??= cacheFile === undefined ? "off" : cache === "accepted" ? "kept" : writeCache(cacheFile, () => script.createCachedData());
      return saved;
    },
  };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile: string, data: () => Buffer): CodeCacheSave {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(temporary, data());
  } catch {
    return "unwritable";
  }
  try {
    renameSync(temporary, cacheFile);
    return "written";
  } catch {
    rmSync(temporary, { force: true });
    return "unwritable";
  }
}
