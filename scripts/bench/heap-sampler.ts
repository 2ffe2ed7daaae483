/**
 * Preloaded into the service by bench/alloc.ts (`--import`): on SIGUSR2,
 * starts V8's sampling heap profiler (every allocation counts, collected or
 * not) and a tally of GC pauses; on the next SIGUSR2, stops both and writes
 * `{ allocatedBytes, gcPauseMs, gcCount }` to $HEAP_SAMPLE_FILE.
 */
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";

const file = process.env.HEAP_SAMPLE_FILE;
if (!file) throw new Error("heap-sampler: HEAP_SAMPLE_FILE is not set");
const session = new Session();
session.connect();
let gc: { pauseMs: number; count: number } | undefined;
new PerformanceObserver((list) => {
  if (!gc) return;
  for (const entry of list.getEntries()) {
    gc.pauseMs += entry.duration;
    gc.count += 1;
  }
}).observe({ entryTypes: ["gc"] });

interface SampleNode {
  selfSize: number;
  children: SampleNode[];
}
const total = (node: SampleNode): number => node.children.reduce((sum, child) => sum + total(child), node.selfSize);

process.on("SIGUSR2", () => {
  if (!gc) {
    gc = { pauseMs: 0, count: 0 };
    session.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return;
  }
  const { pauseMs, count } = gc;
  gc = undefined;
  session.post("HeapProfiler.stopSampling", (error, result) => {
    if (error) throw error;
    const allocatedBytes = total((result as { profile: { head: SampleNode } }).profile.head);
    writeFileSync(file, JSON.stringify({ allocatedBytes, gcPauseMs: pauseMs, gcCount: count }));
  });
});
