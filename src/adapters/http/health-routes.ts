import type { FastifyInstance } from "fastify";
import type { PersonRepository } from "../../application/ports/person-repository.port.ts";

/** What readiness depends on. */
export interface HealthDeps {
  readonly people: PersonRepository;
  /** False while starting and from the start of graceful shutdown. */
  readonly isAccepting: () => boolean;
  /** How long the store may take to answer the readiness ping. */
  readonly storeTimeoutMs: number;
}

/**
 * `GET /healthz`: liveness, the process serves HTTP. `GET /readyz`:
 * readiness, the service accepts work and its store answers within a short
 * timeout; 503 otherwise, with the reason.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get("/healthz", async (_req, reply) => reply.header("cache-control", "no-store").send({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    reply.header("cache-control", "no-store");
    if (!deps.isAccepting()) return reply.status(503).send({ status: "not_ready", reason: "starting or shutting down" });
    try {
      await deps.people.ping({ signal: AbortSignal.timeout(deps.storeTimeoutMs) });
      return reply.send({ status: "ready" });
    } catch {
      return reply.status(503).send({ status: "not_ready", reason: "store unavailable" });
    }
  });
}
