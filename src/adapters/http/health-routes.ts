import type { FastifyInstance } from "fastify";
import type { HealthMonitor } from "../health/health-monitor.ts";

/** What readiness depends on. */
export interface HealthDeps {
  readonly monitor: HealthMonitor;
  /** False while starting and from the start of graceful shutdown. */
  readonly isAccepting: () => boolean;
}

/**
 * `GET /healthz`: liveness, the process serves HTTP. `GET /readyz`:
 * readiness, the service accepts work and its store answers within the
 * health timeout; 503 otherwise, with the reason.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get("/healthz", async (_req, reply) => reply.header("cache-control", "no-store").send({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    if (!deps.isAccepting()) return reply.status(503).send({ status: "not_ready", reason: "starting or shutting down" });
    if ((await deps.monitor.check()) !== "SERVING") {
      return reply.status(503).send({ status: "not_ready", reason: "store unavailable" });
    }
    return reply.send({ status: "ready" });
  });
}
