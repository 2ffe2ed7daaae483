import type { DescService } from "@bufbuild/protobuf";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { buildOpenApi } from "./openapi.ts";

/** Options of the API documentation routes. */
export interface DocsPluginOptions {
  readonly title: string;
  readonly version: string;
  /** The services to document, from the descriptor registry (with their comments). */
  readonly services: readonly DescService[];
  readonly constraints: Readonly<Record<string, z.ZodType>>;
}

const securityHeaders = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/**
 * Serves the OpenAPI document built from the proto at /openapi.json and
 * /openapi.yaml, and Swagger UI at /docs, with its assets from the package
 * (no CDN), and security headers on every one of these routes.
 */
export async function docsPlugin(instance: FastifyInstance, opts: DocsPluginOptions): Promise<void> {
  const document = buildOpenApi({
    title: opts.title,
    version: opts.version,
    services: opts.services,
    constraints: opts.constraints,
  });
  instance.addHook("onSend", async (_req, reply, payload) => {
    reply.headers(securityHeaders);
    return payload;
  });
  await instance.register(swagger, { mode: "static", specification: { document: document as never } });
  await instance.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: true,
    uiConfig: { deepLinking: true, tryItOutEnabled: true },
  });
  const json = JSON.stringify(document);
  instance.get("/openapi.json", (_req, reply) => reply.type("application/json").send(json));
  instance.get("/openapi.yaml", (_req, reply) => reply.type("application/yaml").send(instance.swagger({ yaml: true })));
}
