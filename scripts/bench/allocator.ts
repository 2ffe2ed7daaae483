/**
 * The malloc every server of a benchmark runs on, baselines included, so that
 * a ratio compares the same work on the same allocator: BENCH_ALLOCATOR=glibc
 * (default: Node's own, what `npm start` gets) or jemalloc (what the image
 * preloads, Containerfile). jemalloc speeds the baselines up too, grpc-js
 * more than the service (docs/performance.md, "jemalloc"), so a run on one
 * allocator is never compared with a run on the other.
 */
import { existsSync } from "node:fs";

/** The allocators a benchmark can run its servers on. */
export type Allocator = "glibc" | "jemalloc";

/** Where Debian's libjemalloc2 installs libjemalloc.so.2 (amd64, arm64). */
export const jemallocCandidates = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"] as const;

/** The installed libjemalloc.so.2, or undefined. */
export function jemallocPath(): string | undefined {
  return jemallocCandidates.find((path) => existsSync(path));
}

/** The allocator BENCH_ALLOCATOR asks for (glibc unless it says jemalloc). */
export function benchAllocator(): Allocator {
  const chosen = process.env.BENCH_ALLOCATOR ?? "glibc";
  if (chosen !== "glibc" && chosen !== "jemalloc") throw new Error(`BENCH_ALLOCATOR must be glibc or jemalloc, not ${JSON.stringify(chosen)}`);
  return chosen;
}

/** The environment that puts a server process on benchAllocator() (jemalloc: LD_PRELOAD, as the image sets it). */
export function allocatorEnv(): Record<string, string> {
  if (benchAllocator() === "glibc") return {};
  const path = jemallocPath();
  if (!path) throw new Error("BENCH_ALLOCATOR=jemalloc needs Debian's libjemalloc2 (apt-get install libjemalloc2)");
  return { LD_PRELOAD: path };
}

/** How the benchmark names the allocator its servers run on. */
export function allocatorName(): string {
  return benchAllocator() === "jemalloc" ? "jemalloc (LD_PRELOAD, as the image runs)" : "glibc malloc (Node's default, as npm start runs)";
}
