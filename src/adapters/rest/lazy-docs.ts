import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { DocsPluginOptions } from "./docs-plugin.ts";

/** Options of the documentation routes. */
export interface LazyDocsOptions {
  readonly logger: Logger;
  /** What the documents describe, asked for on the first documentation request. */
  readonly docs: () => DocsPluginOptions;
}

/** The paths the documentation app serves (Swagger UI's assets are under /docs/). */
const paths = ["/docs", "/docs/*", "/openapi.json", "/openapi.yaml"];

/**
 * Serves the API documentation (OpenAPI document and Swagger UI, see
 * docs-plugin.ts) from a Fastify app of its own, built on the first request
 * for one of its paths: start-up does not load Swagger, read the descriptor
 * set nor build the document. The service's own hooks (request id, CORS) have
 * run by then; their headers go out with the documentation app's answer.
 */
export function registerLazyDocs(instance: FastifyInstance, opts: LazyDocsOptions): void {
  let app: Promise<FastifyInstance> | undefined;
  const build = async () => {
    const { docsPlugin } = await import("./docs-plugin.ts");
    const docs = Fastify({ loggerInstance: opts.logger, logController: new LogController({ disableRequestLogging: true }) }) as unknown as FastifyInstance;
    await docs.register(docsPlugin, opts.docs());
    await docs.ready();
    return docs;
  };
  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const docs = await (app ??= build().catch((e: unknown) => {
      app = undefined; // the next request tries again
      throw e;
    }));
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    reply.hijack();
    docs.routing(req.raw, reply.raw);
  };
  for (const url of paths) instance.get(url, serve);
  instance.addHook("onClose", async () => {
    if (app) await (await app).close();
  });
}
