import v8 from "node:v8";
import vm from "node:vm";
import type { ExposedGc } from "./idle-heap-compaction.ts";

/*
 * Why these two V8 settings are made at run time rather than on the command
 * line: Node ships its built-in modules with code compiled ahead of time, and
 * V8 accepts that code only if its flags hash the same as when it was made.
 * `--heap-growing-percent` or `--expose-gc` on the command line changes the
 * hash, so every built-in the service loads (http2, tls, crypto, ...) is
 * compiled again at each start: ~25 ms of the time to the first response on
 * the benchmark's VM. The `--max-*-space-size` flags do not change the hash.
 */

/** Sets a V8 flag (tests replace it). */
export type SetV8Flags = (flags: string) => void;

/**
 * Lets V8's old generation grow to `1 + percent / 100` times what is alive
 * after a full collection before the next one (`--heap-growing-percent`;
 * 0 leaves V8's own factor). V8 reads it whenever it sizes the heap after a
 * collection, so it applies from the next collection on. Call it once start-up
 * is over: from then on the built-ins loaded on first use (zlib, ...) are
 * compiled afresh, as they would be with the flag on the command line.
 */
export function setHeapGrowingPercent(percent: number, setFlags: SetV8Flags = v8.setFlagsFromString): void {
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}

/**
 * Leaves V8's allocation-site pretenuring (`--allocation-site-pretenuring`)
 * on, or turns it off. V8 counts, at each young-generation collection, how
 * many of the objects made by one object or array literal survive it, and
 * makes a literal whose objects mostly do allocate in the old generation
 * from then on. Under load that catches literals Node evaluates for every
 * HTTP/2 stream (its table of listeners among them), and such an object,
 * made old, keeps what it points to (the listeners, the stream and call
 * they close over) alive through every young collection until a full one:
 * each call is copied, then promoted. V8 reads the flag at each collection,
 * so it applies from the next one on; a literal it already switched stays
 * switched, so call it before traffic. Not on the command line: there the
 * flag changes the hash V8 checks its code caches against (start-up ~40 ms
 * slower on the benchmark's VM).
 */
export function setAllocationSitePretenuring(on: boolean, setFlags: SetV8Flags = v8.setFlagsFromString): void {
  setFlags(on ? "--allocation-site-pretenuring" : "--no-allocation-site-pretenuring");
}

/**
 * V8's collector, as `--expose-gc` would expose it, without the flag: each
 * call exposes it in a fresh context for as long as it takes to fetch it,
 * then restores the flag, so the flag hash (above) is that of the command
 * line again for whatever is compiled afterwards. `globalThis.gc` stays
 * undefined.
 */
export function collectorOnDemand(setFlags: SetV8Flags = v8.setFlagsFromString): ExposedGc {
  return (options) => {
    setFlags("--expose-gc");
    let gc: ExposedGc;
    try {
      gc = vm.runInNewContext("gc") as ExposedGc;
    } finally {
      setFlags("--no-expose-gc");
    }
    gc(options);
  };
}
