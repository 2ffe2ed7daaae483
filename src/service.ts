import { createPersonUseCases } from "./application/use-cases/person-use-cases.ts";
import { ConfigError, loadConfig } from "./config/config.ts";
import { createRepository } from "./create-repository.ts";
import { createSystemClock } from "./adapters/system/system-clock.ts";
import { createUuidGenerator } from "./adapters/system/uuid-generator.ts";
import { createLogger, flushLogger } from "./adapters/http/logger.ts";
import { buildApp } from "./adapters/http/build-app.ts";
import { createTracing } from "./adapters/tracing/tracing.ts";
import { withStoreTracing } from "./adapters/tracing/traced-repository.ts";
import cluster from "node:cluster";
import { runPrimary } from "./cluster-primary.ts";
import { scheduleIdleHeapCompaction } from "./adapters/system/idle-heap-compaction.ts";
import { collectorOnDemand, setAllocationSitePretenuring, setHeapGrowingPercent } from "./adapters/system/runtime-v8-flags.ts";
import { lowerBackgroundThreadPriority } from "./adapters/system/background-thread-priority.ts";

/** What the entry point that loaded the service does during its start-up. */
export interface StartHooks {
  /**
   * Called once the service listens, before it changes V8 flags: keeps what
   * start-up compiled (Node's compile cache, the bundle's code cache).
   * Returns fields for the "listening" log line.
   */
  readonly onListening?: () => Record<string, unknown>;
}

/**
 * Composition root: read the config, wire the store, the use cases and the
 * edge, listen, and shut down gracefully on SIGTERM/SIGINT.
 */
export async function main(hooks: StartHooks = {}): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`personsvc: ${e.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.LOG_LEVEL);
  if (config.WORKERS > 1 && cluster.isPrimary) {
    runPrimary(config.WORKERS, logger);
    return;
  }
  const tracing = await createTracing(process.env);
  const people = await createRepository(config, logger);
  const tracedPeople = withStoreTracing(people, tracing, config.STORE);
  const useCases = createPersonUseCases({
    people: tracedPeople,
    clock: createSystemClock(),
    ids: createUuidGenerator(),
    requestIdRetentionMs: config.REQUEST_ID_RETENTION_HOURS * 3_600_000,
  });
  const app = await buildApp({ config, logger, useCases, people, tracing });
  await app.fastify.listen({ host: config.HOST, port: config.PORT });
  const address = app.fastify.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  // Start-up is over: what it compiled is kept now (Node writes its compile
  // cache at exit otherwise, which a SIGKILL skips), before the flag below
  // changes the hash V8 checks a cache against.
  const startUp = hooks.onListening?.();
  const priority = lowerBackgroundThreadPriority(config.V8_WORKER_NICE);
  logger.info({ host: config.HOST, port, store: config.STORE, tls: Boolean(config.TLS_CERT_FILE), tracing: tracing.enabled, ...startUp, ...priority }, "listening");
  setHeapGrowingPercent(config.HEAP_GROWING_PERCENT);
  setAllocationSitePretenuring(config.V8_PRETENURING === "on");
  const cancelCompaction = scheduleIdleHeapCompaction({
    gc: collectorOnDemand(),
    activity: app.rpcsBegun,
    onCompacted: (result) => logger.info(result, "heap compacted after start-up"),
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    cancelCompaction();
    logger.info({ signal, drainMs: config.SHUTDOWN_TIMEOUT_MS, delayMs: config.SHUTDOWN_DELAY_MS }, "shutting down");
    app.beginShutdown();
    // Readiness is already false: give load balancers time to notice before
    // the listener closes (Kubernetes endpoints, proxies' health checks).
    if (config.SHUTDOWN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY_MS));
    const force = setTimeout(() => {
      logger.warn("drain time over: closing remaining connections");
      app.fastify.server.closeAllConnections();
    }, config.SHUTDOWN_TIMEOUT_MS);
    await app.fastify.close();
    clearTimeout(force);
    await people.close();
    await tracing.shutdown();
    logger.info("stopped");
    await flushLogger(logger);
    process.exit(0);
  };
  process.on("SIGTERM", (s) => void shutdown(s));
  process.on("SIGINT", (s) => void shutdown(s));
}
