import { readFileSync } from "node:fs";
import { MSSQL_SCHEMA, parse } from "@tediousjs/connection-string";
import type { ConnectionConfiguration } from "tedious";

/** Where and how to reach SQL Server, whatever form the configuration took. */
export interface MssqlSettings {
  readonly server: string;
  readonly port: number | undefined;
  readonly instanceName: string | undefined;
  readonly database: string;
  readonly userName: string;
  readonly password: string;
  readonly encrypt: boolean;
  readonly trustServerCertificate: boolean;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** The environment variables this module reads (validated as strings by the config). */
export interface MssqlEnv {
  readonly MSSQL_CONNECTION_STRING?: string | undefined;
  readonly MSSQL_CONNECTION_STRING_FILE?: string | undefined;
  readonly MSSQL_HOST?: string | undefined;
  readonly MSSQL_PORT?: number | undefined;
  readonly MSSQL_DATABASE?: string | undefined;
  readonly MSSQL_USER?: string | undefined;
  readonly MSSQL_PASSWORD?: string | undefined;
  readonly MSSQL_PASSWORD_FILE?: string | undefined;
  readonly MSSQL_ENCRYPT: boolean;
  readonly MSSQL_TRUST_SERVER_CERTIFICATE: boolean;
  readonly MSSQL_CONNECT_TIMEOUT_MS: number;
  readonly MSSQL_REQUEST_TIMEOUT_MS: number;
}

const readSecret = (file: string) => readFileSync(file, "utf8").replace(/\r?\n$/, "");

/** "tcp:host,1433", "host\\instance" or "host" -> its parts. */
function parseDataSource(source: string): { server: string; port?: number; instanceName?: string } {
  const [hostPart = "", portPart] = source.replace(/^tcp:/i, "").split(",");
  const [server = "", instanceName] = hostPart.split("\\");
  return {
    server: server.trim(),
    ...(portPart ? { port: Number(portPart.trim()) } : {}),
    ...(instanceName ? { instanceName } : {}),
  };
}

/**
 * Settings from an ADO.NET connection string (`Server=...;Database=...;User
 * Id=...;Password=...;Encrypt=...;TrustServerCertificate=...`, inline or from
 * a file), else from discrete variables. A `*_FILE` variable (a mounted
 * secret) wins over its inline twin.
 */
export function mssqlSettingsFrom(env: MssqlEnv): MssqlSettings {
  const connectionString = env.MSSQL_CONNECTION_STRING_FILE
    ? readSecret(env.MSSQL_CONNECTION_STRING_FILE)
    : env.MSSQL_CONNECTION_STRING;
  const timeouts = { connectTimeoutMs: env.MSSQL_CONNECT_TIMEOUT_MS, requestTimeoutMs: env.MSSQL_REQUEST_TIMEOUT_MS };
  const password = env.MSSQL_PASSWORD_FILE ? readSecret(env.MSSQL_PASSWORD_FILE) : env.MSSQL_PASSWORD;
  if (connectionString) {
    const cs = parse(connectionString).toSchema(MSSQL_SCHEMA) as Record<string, unknown>;
    const source = parseDataSource(String(cs["data source"] ?? ""));
    return {
      server: source.server,
      port: source.port ?? env.MSSQL_PORT,
      instanceName: source.instanceName,
      database: String(cs["initial catalog"] ?? env.MSSQL_DATABASE ?? ""),
      userName: String(cs["user id"] ?? env.MSSQL_USER ?? ""),
      password: String(cs["password"] || password || ""),
      encrypt: cs["encrypt"] === undefined ? env.MSSQL_ENCRYPT : cs["encrypt"] === true,
      trustServerCertificate:
        cs["trustservercertificate"] === undefined ? env.MSSQL_TRUST_SERVER_CERTIFICATE : cs["trustservercertificate"] === true,
      ...timeouts,
    };
  }
  return {
    server: env.MSSQL_HOST ?? "localhost",
    port: env.MSSQL_PORT ?? 1433,
    instanceName: undefined,
    database: env.MSSQL_DATABASE ?? "personsvc",
    userName: env.MSSQL_USER ?? "",
    password: password ?? "",
    encrypt: env.MSSQL_ENCRYPT,
    trustServerCertificate: env.MSSQL_TRUST_SERVER_CERTIFICATE,
    ...timeouts,
  };
}

/** What the service may log about the settings: never the password. */
export function describeSettings(s: MssqlSettings) {
  return { server: s.server, port: s.port, instanceName: s.instanceName, database: s.database, user: s.userName, encrypt: s.encrypt };
}

/** Settings -> tedious configuration: UTC times, lowercase GUIDs, no tedious-side request timeout (ours rules). */
export function toTediousConfig(s: MssqlSettings): ConnectionConfiguration {
  return {
    server: s.server,
    authentication: { type: "default", options: { userName: s.userName, password: s.password } },
    options: {
      ...(s.instanceName ? { instanceName: s.instanceName } : { port: s.port ?? 1433 }),
      database: s.database,
      encrypt: s.encrypt,
      trustServerCertificate: s.trustServerCertificate,
      useUTC: true,
      lowerCaseGuids: true,
      connectTimeout: s.connectTimeoutMs,
      requestTimeout: 0,
      cancelTimeout: 5000,
      appName: "personsvc",
      abortTransactionOnError: true,
    },
  };
}
