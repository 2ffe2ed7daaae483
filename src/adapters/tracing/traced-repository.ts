import type { PersonRepository } from "../../application/ports/person-repository.port.ts";
import { AppError } from "../../domain/app-error.ts";
import type { Tracing } from "./tracing.ts";

type Operation = "get" | "list" | "create" | "update" | "delete" | "ping";
const operations: readonly Operation[] = ["get", "list", "create", "update", "delete", "ping"];

/**
 * Wraps a repository so that every store call is a child span of the RPC
 * (`db.*` attributes and the operation's name; never parameter values).
 * Without tracing it returns the repository unchanged: no cost.
 */
export function withStoreTracing(people: PersonRepository, tracing: Tracing, dbSystem: string): PersonRepository {
  if (!tracing.enabled) return people;
  const traced: PersonRepository = { ...people };
  for (const op of operations) {
    const inner = people[op].bind(people) as (...args: unknown[]) => Promise<unknown>;
    (traced as unknown as Record<Operation, unknown>)[op] = async (...args: unknown[]) => {
      const span = tracing.startChild(`${dbSystem} ${op} person`, {
        "db.system.name": dbSystem,
        "db.operation.name": op,
        "db.collection.name": "person",
        "db.query.summary": `${op} person`,
      });
      try {
        const result = await inner(...args);
        tracing.endSpan(span, {}, false);
        return result;
      } catch (e) {
        // The AppError's code, never a driver message (it could quote SQL or data).
        tracing.endSpan(span, { "error.type": e instanceof AppError ? e.code : ((e as Error)?.name ?? "Error") }, true);
        throw e;
      }
    };
  }
  return traced;
}
