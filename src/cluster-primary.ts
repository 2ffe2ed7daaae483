import cluster from "node:cluster";
import type { Logger } from "pino";

/**
 * Part of the composition root: with WORKERS > 1, the primary process forks
 * that many workers sharing the one port (node:cluster hands each new
 * connection to a worker), restarts a worker that dies, passes SIGTERM/SIGINT
 * on, and exits 0 once every worker has drained and exited 0.
 */
export function runPrimary(workers: number, logger: Logger): void {
  let stopping = false;
  let failed = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      logger.error({ pid: worker.process.pid, code, signal }, "worker died: starting another");
      cluster.fork();
      return;
    }
    if (code !== 0) failed = true;
    if (Object.keys(cluster.workers ?? {}).length === 0) {
      logger.info({ workers }, "all workers stopped");
      process.exit(failed ? 1 : 0);
    }
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping workers");
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
