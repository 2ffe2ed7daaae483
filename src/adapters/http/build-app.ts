import { readFileSync } from "node:fs";
import type { Http2SecureServer } from "node:http2";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { PersonService } from "../../../gen/person/v1/person_pb.js";
import type { PersonUseCases } from "../../application/use-cases/person-use-cases.ts";
import type { Config } from "../../config/config.ts";
import { connectPlugin, rpcOtherMethodsHook } from "../connect/connect-plugin.ts";
import { createRpcRoutes } from "../connect/rpc-router.ts";
import { createFastLane } from "../connect/fast-lane/fast-lane.ts";
import { installFastLane } from "./install-fast-lane.ts";
import { createResponseBatch } from "./response-batch.ts";
import { createRpcObserver } from "../connect/rpc-observer.ts";
import { createMetrics } from "../metrics/metrics.ts";
import type { Tracing } from "../tracing/tracing.ts";
import { createEventLoopLoadSignal, type LoadSignal } from "../protection/load-shedder.ts";
import { createRateLimiter } from "../protection/rate-limiter.ts";
import { createRequestGate } from "../protection/request-gate.ts";
import { createJwtAuth } from "../protection/jwt-auth.ts";
import { restPlugin } from "../rest/rest-plugin.ts";
import { createRestLane } from "../rest/rest-lane.ts";
import { restRoutesOf } from "../rest/rest-routes.ts";
import { registerLazyDocs } from "../rest/lazy-docs.ts";
import { personRequestConstraints } from "../rest/request-constraints.ts";
import { createPersonService } from "../connect/person-service.ts";
import { createOnePortServerFactory } from "./one-port-server.ts";
import { createStreamMapRenewal } from "./stream-map-renewal.ts";
import { openSessionsOf } from "./open-sessions.ts";
import { registerCors } from "./cors.ts";
import { requestIdOf } from "./request-id.ts";
import { registerHealthRoutes } from "./health-routes.ts";
import { createHealthMonitor } from "../health/health-monitor.ts";
import { createGrpcHealthService } from "../health/grpc-health-service.ts";
import { Health } from "../../../gen/health/v1/health_pb.js";
import { ServerReflection } from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionAlpha } from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { createDescriptorRegistry } from "../reflection/descriptor-registry.ts";
import { createReflectionService } from "../reflection/reflection-service.ts";
import type { PersonRepository } from "../../application/ports/person-repository.port.ts";

/** The schema compiler of a server that declares no route schemas: a route that does is a programming error. */
const noSchemas = (): never => {
  throw new Error("route schemas are not supported: validate in the use case");
};

/** What the HTTP edge is built from. */
export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly useCases: PersonUseCases;
  /** The store, for readiness and pool metrics. */
  readonly people: PersonRepository;
  readonly tracing: Tracing;
  /** Overrides the event-loop load signal (tests). */
  readonly loadSignal?: LoadSignal;
}

/** The built edge: the Fastify app, and the switch graceful shutdown flips first. */
export interface App {
  readonly fastify: FastifyInstance;
  /** Marks the start of graceful shutdown: responses close their HTTP/1.1 connections. */
  beginShutdown(): void;
  readonly isShuttingDown: () => boolean;
  /** How many RPCs have begun since start-up, on every edge (an activity signal). */
  readonly rpcsBegun: () => number;
}

/**
 * Builds the Fastify app (without listening): gRPC, gRPC-Web and Connect on
 * one port, h2c and HTTP/1.1 side by side, or h2 and HTTP/1.1 through ALPN
 * when TLS is configured.
 */
export async function buildApp({ config, logger, useCases, people, tracing, loadSignal }: AppDeps): Promise<App> {
  let shuttingDown = false;
  const isShuttingDown = () => shuttingDown;
  const limits = {
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
    http2IdleTimeoutMs: config.HTTP2_IDLE_TIMEOUT_MS,
    sniffTimeoutMs: config.HEADERS_TIMEOUT_MS,
    maxHeaderBytes: config.MAX_HEADER_BYTES,
    maxConcurrentStreams: config.HTTP2_MAX_CONCURRENT_STREAMS,
  };
  const monitor = createHealthMonitor({ people, logger, intervalMs: config.HEALTH_INTERVAL_MS, timeoutMs: config.HEALTH_TIMEOUT_MS });
  const registry = createDescriptorRegistry();
  const served = [PersonService.typeName, Health.typeName, ServerReflection.typeName, ServerReflectionAlpha.typeName];
  const load = loadSignal ?? (config.SHED_EVENT_LOOP_DELAY_MS > 0 ? createEventLoopLoadSignal(config.SHED_EVENT_LOOP_DELAY_MS) : undefined);
  const limiter =
    config.RATE_LIMIT_RPS > 0
      ? createRateLimiter(config.RATE_LIMIT_RPS, config.RATE_LIMIT_BURST || Math.ceil(config.RATE_LIMIT_RPS * 2))
      : undefined;
  const authenticate =
    config.AUTH_JWKS_FILE || config.AUTH_JWKS_URL
      ? await createJwtAuth({
          issuer: config.AUTH_ISSUER!,
          audience: config.AUTH_AUDIENCE!,
          jwksFile: config.AUTH_JWKS_FILE,
          jwksUrl: config.AUTH_JWKS_URL,
          readScope: config.AUTH_READ_SCOPE,
          writeScope: config.AUTH_WRITE_SCOPE,
          openServices: [Health.typeName],
        })
      : undefined;
  const routes = createRpcRoutes({
    gate: createRequestGate({ limiter, load, ...(authenticate ? { authenticate } : {}) }),
    routes: (router) =>
      router
        .service(PersonService, createPersonService(useCases, { defaultDeadlineMs: config.DEFAULT_DEADLINE_MS }))
        .service(Health, createGrpcHealthService(monitor, [PersonService.typeName]))
        .service(ServerReflection, createReflectionService(registry, () => served))
        .service(ServerReflectionAlpha, createReflectionService(registry, () => served) as never),
    readMaxBytes: config.MAX_REQUEST_BYTES,
  });
  const handlers = routes.handlers;
  // Fastify's router options; the fast lane matches REST routes with the same.
  const routerOptions = { maxParamLength: 200 };
  const metrics = createMetrics(people.stats?.bind(people));
  const observer = createRpcObserver(logger, metrics, tracing);
  const responseBatch = createResponseBatch((error) => logger.error({ err: { message: (error as Error).message } }, "response write failed"));
  const lane =
    config.FAST_LANE === "on"
      ? createFastLane({
          routes,
          observer,
          isShuttingDown,
          corsEnabled: config.CORS_ALLOWED_ORIGINS.length > 0,
          defaultDeadlineMs: config.DEFAULT_DEADLINE_MS,
          responseBatch,
          rest: createRestLane(restRoutesOf(handlers), routes, routerOptions),
        })
      : undefined;

  const renewal =
    config.HTTP2_STREAM_MAP_RENEWAL === "on"
      ? createStreamMapRenewal({
          onRenewed: (sessions) => logger.debug({ sessions }, "http2 stream maps renewed after a full collection"),
          onUnsupported: () => logger.warn("http2 stream map renewal: this Node's HTTP/2 sessions are not as expected, nothing is renewed (HTTP2_STREAM_MAP_RENEWAL)"),
        })
      : undefined;
  const common = {
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) =>
      requestIdOf(req.headers["x-request-id"]),
    connectionTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http2SessionTimeout: config.HTTP2_IDLE_TIMEOUT_MS,
    routerOptions,
    return503OnClosing: true,
    // No route validates or serializes through JSON schemas (REST requests are
    // the RPCs' own, validated by the use cases): Fastify's schema compilers
    // (ajv, fast-json-stringify) are never loaded, which shortens start-up.
    schemaController: { compilersFactory: { buildValidator: () => noSchemas, buildSerializer: () => noSchemas } },
  };
  const tls =
    config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) }
      : undefined;
  const fastify = (
    tls
      ? Fastify({ ...common, http2: true, https: { ...tls, allowHTTP1: true } })
      : Fastify({ ...common, serverFactory: createOnePortServerFactory(limits, { lane, renewal }) as never })
  ) as unknown as FastifyInstance;
  if (tls && lane) installFastLane(fastify.server, lane);
  if (tls && renewal) renewal.track(openSessionsOf(fastify.server as unknown as Http2SecureServer));
  fastify.addHook("onClose", async () => renewal?.stop());

  await registerCors(fastify, config.CORS_ALLOWED_ORIGINS);
  fastify.addHook("onClose", async () => monitor.stop());
  fastify.addHook("onClose", async () => load?.stop());
  registerHealthRoutes(fastify, { monitor, isAccepting: () => fastify.server.listening && !shuttingDown });
  fastify.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });
  fastify.addHook("onRequest", rpcOtherMethodsHook({ handlers, observer, isShuttingDown }, fastify.supportedMethods));
  await fastify.register(connectPlugin, { handlers, observer, isShuttingDown });
  await fastify.register(restPlugin, { handlers: lane ? handlers.map((h) => lane.wrap(h)) : handlers, logger, observer, isShuttingDown, bodyLimit: config.MAX_REQUEST_BYTES, responseBatch });
  fastify.get("/metrics", async (_req, reply) => {
    const { contentType, text } = await metrics.scrape();
    return reply.type(contentType).send(text);
  });
  registerLazyDocs(fastify, {
    logger,
    docs: () => ({ title: "personsvc", version: "1", services: [registry().getService(PersonService.typeName)!], constraints: personRequestConstraints }),
  });
  return {
    fastify,
    beginShutdown: () => {
      shuttingDown = true;
      monitor.beginShutdown();
    },
    isShuttingDown,
    rpcsBegun: observer.begun,
  };
}
