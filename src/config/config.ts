import { availableParallelism } from "node:os";
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);
const ms = z.coerce.number().int().min(1);
const bytes = z.coerce.number().int().min(1024);
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** Every setting of the service, read from environment variables. */
export const configSchema = z
  .object({
    HOST: z.string().min(1).default("0.0.0.0"),
    PORT: port.default(8080),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    STORE: z.enum(["sqlite", "mssql"]).default("sqlite"),
    SQLITE_PATH: z.string().min(1).default("./data/personsvc.db"),
    MAX_REQUEST_BYTES: bytes.default(1024 * 1024),
    MAX_HEADER_BYTES: bytes.default(16 * 1024),
    HEADERS_TIMEOUT_MS: ms.default(10_000),
    REQUEST_TIMEOUT_MS: ms.default(30_000),
    KEEP_ALIVE_TIMEOUT_MS: ms.default(65_000),
    HTTP2_IDLE_TIMEOUT_MS: ms.default(120_000),
    HTTP2_MAX_CONCURRENT_STREAMS: z.coerce.number().int().min(1).default(250),
    SHUTDOWN_TIMEOUT_MS: ms.default(20_000),
    DEFAULT_DEADLINE_MS: z.coerce.number().int().min(0).default(10_000),
    REQUEST_ID_RETENTION_HOURS: z.coerce.number().min(1).default(24),
    WORKERS: z
      .union([z.literal("auto"), z.coerce.number().int().min(1).max(256)])
      .default(1)
      .transform((w) => (w === "auto" ? availableParallelism() : w)),
    FAST_LANE: z.enum(["on", "off"]).default("on"),
    SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(0),
    HEALTH_INTERVAL_MS: ms.default(5_000),
    RATE_LIMIT_RPS: z.coerce.number().min(0).default(0),
    RATE_LIMIT_BURST: z.coerce.number().int().min(0).default(0),
    SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(0),
    HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(1_000).default(100),
    V8_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(0),
    V8_PRETENURING: z.enum(["on", "off"]).default("off"),
    HTTP2_STREAM_MAP_RENEWAL: z.enum(["on", "off"]).default("on"),
    HEALTH_TIMEOUT_MS: ms.default(1_000),
    CORS_ALLOWED_ORIGINS: z
      .string()
      .default("")
      .transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean))
      .refine((list) => list.every((o) => o === "*" || /^https?:\/\/[^/]+$/.test(o)), {
        message: "must be a comma-separated list of origins like https://app.example.com, or *",
      }),
    AUTH_JWKS_FILE: z.string().min(1).optional(),
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    AUTH_READ_SCOPE: z.string().min(1).default("person.read"),
    AUTH_WRITE_SCOPE: z.string().min(1).default("person.write"),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    MSSQL_CONNECTION_STRING: z.string().min(1).optional(),
    MSSQL_CONNECTION_STRING_FILE: z.string().min(1).optional(),
    MSSQL_HOST: z.string().min(1).optional(),
    MSSQL_PORT: port.optional(),
    MSSQL_DATABASE: z.string().min(1).optional(),
    MSSQL_USER: z.string().min(1).optional(),
    MSSQL_PASSWORD: z.string().min(1).optional(),
    MSSQL_PASSWORD_FILE: z.string().min(1).optional(),
    MSSQL_ENCRYPT: bool.default(true),
    MSSQL_TRUST_SERVER_CERTIFICATE: bool.default(false),
    MSSQL_CONNECT_TIMEOUT_MS: ms.default(5_000),
    MSSQL_REQUEST_TIMEOUT_MS: ms.default(15_000),
    MSSQL_POOL_MIN: z.coerce.number().int().min(0).default(0),
    MSSQL_POOL_MAX: z.coerce.number().int().min(1).default(10),
    MSSQL_ACQUIRE_TIMEOUT_MS: ms.default(3_000),
    MSSQL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    MSSQL_MIGRATE: bool.default(true),
  })
  .refine((c) => c.STORE !== "mssql" || Boolean(c.MSSQL_CONNECTION_STRING || c.MSSQL_CONNECTION_STRING_FILE || c.MSSQL_HOST), {
    message: "STORE=mssql needs MSSQL_CONNECTION_STRING, MSSQL_CONNECTION_STRING_FILE or MSSQL_HOST",
    path: ["STORE"],
    when: (payload) => typeof payload.value === "object" && payload.value !== null,
  })
  .refine((c) => !(c.AUTH_JWKS_FILE || c.AUTH_JWKS_URL) || Boolean(c.AUTH_ISSUER && c.AUTH_AUDIENCE), {
    message: "authentication (AUTH_JWKS_FILE or AUTH_JWKS_URL) needs AUTH_ISSUER and AUTH_AUDIENCE",
    path: ["AUTH_ISSUER"],
    when: (payload) => typeof payload.value === "object" && payload.value !== null,
  })
  .refine((c) => !(Number(c.WORKERS) > 1) || c.STORE !== "sqlite" || c.SQLITE_PATH !== ":memory:", {
    message: "several WORKERS cannot share an in-memory store: use a SQLITE_PATH file or SQL Server",
    path: ["WORKERS"],
    when: (payload) => typeof payload.value === "object" && payload.value !== null,
  })
  .refine((c) => (c.TLS_CERT_FILE === undefined) === (c.TLS_KEY_FILE === undefined), {
    message: "TLS_CERT_FILE and TLS_KEY_FILE must be set together",
    path: ["TLS_CERT_FILE"],
    // Checked even when other variables are bad, so one run lists every problem.
    when: (payload) => typeof payload.value === "object" && payload.value !== null,
  });

/** The validated configuration. */
export type Config = z.output<typeof configSchema>;

/** Thrown when the environment is not a valid configuration; lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Reads the configuration from `env`. Empty variables count as unset. Throws
 * a ConfigError naming every bad variable and why, never echoing values.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  // Parsed once: zod's compiled fast path would cost more to build (~6 ms of start-up) than it saves.
  const result = configSchema.safeParse(present, { jitless: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "config"}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
}
