import { Writable } from "node:stream";
import type { AddressInfo } from "node:net";
import { buildApp, type App } from "../../src/adapters/http/build-app.ts";
import { createLogger } from "../../src/adapters/http/logger.ts";
import { createSqlitePersonRepository } from "../../src/adapters/sqlite/sqlite-person-repository.ts";
import { createSystemClock } from "../../src/adapters/system/system-clock.ts";
import { createUuidGenerator } from "../../src/adapters/system/uuid-generator.ts";
import { createPersonUseCases } from "../../src/application/use-cases/person-use-cases.ts";
import type { PersonRepository } from "../../src/application/ports/person-repository.port.ts";
import { loadConfig } from "../../src/config/config.ts";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createTracing } from "../../src/adapters/tracing/tracing.ts";
import type { LoadSignal } from "../../src/adapters/protection/load-shedder.ts";
import type { Clock } from "../../src/application/ports/clock.port.ts";
import type { IdGenerator } from "../../src/application/ports/id-generator.port.ts";
import { withStoreTracing } from "../../src/adapters/tracing/traced-repository.ts";

/** A service running in this process on an ephemeral port, with its log lines captured. */
export interface TestServer {
  readonly app: App;
  readonly port: number;
  readonly baseUrl: string;
  readonly people: PersonRepository;
  /** Parsed JSON log lines, in order. */
  readonly logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Starts the real app on 127.0.0.1:0 with an in-memory store (unless
 * `people` is given), configured from `env` like the real process.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  people: PersonRepository = createSqlitePersonRepository({ path: ":memory:" }),
  spanExporter?: SpanExporter,
  loadSignal?: LoadSignal,
  deps: { clock?: Clock; ids?: IdGenerator } = {},
): Promise<TestServer> {
  const config = loadConfig({ LOG_LEVEL: "info", ...env });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger(config.LOG_LEVEL, sink);
  const tracing = await createTracing({}, spanExporter);
  const useCases = createPersonUseCases({
    people: withStoreTracing(people, tracing, "sqlite"),
    clock: deps.clock ?? createSystemClock(),
    ids: deps.ids ?? createUuidGenerator(),
  });
  const app = await buildApp({ config, logger, useCases, people, tracing, ...(loadSignal ? { loadSignal } : {}) });
  await app.fastify.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.fastify.server.address() as AddressInfo).port;
  return {
    app,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    people,
    logs,
    async close() {
      await app.fastify.close();
      await people.close();
      await tracing.shutdown();
    },
  };
}
