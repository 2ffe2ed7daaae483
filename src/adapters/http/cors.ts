import fastifyCors from "@fastify/cors";
import { cors as connectCors } from "@connectrpc/connect";
import type { FastifyInstance } from "fastify";

/**
 * CORS for browsers: the allowed origins from config (none by default, `*`
 * for any); the request and response headers Connect and gRPC-Web need (from
 * connect-es's own list) plus the correlation id and trace context; the REST
 * verbs. Preflights are answered and cached for two hours.
 */
export async function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): Promise<void> {
  if (allowedOrigins.length === 0) return;
  const any = allowedOrigins.includes("*");
  await app.register(fastifyCors, {
    origin: (origin, done) => done(null, any || (origin !== undefined && allowedOrigins.includes(origin))),
    methods: [...new Set([...connectCors.allowedMethods, "GET", "POST", "PUT", "PATCH", "DELETE"])],
    allowedHeaders: [...connectCors.allowedHeaders, "Authorization", "X-Request-Id", "Traceparent", "Tracestate"],
    exposedHeaders: [...connectCors.exposedHeaders, "X-Request-Id"],
    maxAge: 7200,
  });
}
