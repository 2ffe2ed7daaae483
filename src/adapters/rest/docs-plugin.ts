import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { buildOpenApi } from "./openapi.ts";

const descriptorSet = new URL("../../../gen/descriptors.binpb", import.meta.url);

/** Options of the API documentation routes. */
export interface DocsPluginOptions {
  readonly title: string;
  readonly version: string;
  /** Fully-qualified names of the services to document. */
  readonly services: readonly string[];
  readonly constraints: Readonly<Record<string, z.ZodType>>;
}

/** Services with their proto comments, from the descriptor set `npm run generate` writes. */
export function loadDocumentedServices(typeNames: readonly string[]): DescService[] {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSet)));
  return typeNames.map((name) => {
    const service = registry.getService(name);
    if (!service) throw new Error(`service ${name} is not in ${descriptorSet.pathname}`);
    return service;
  });
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
    services: loadDocumentedServices(opts.services),
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
