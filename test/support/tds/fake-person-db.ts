import type { Column, ResultSet, Value } from "./tds-tokens.ts";
import type { Reply, RpcHandler } from "./tds-responder.ts";
import type { RpcCall } from "./tds-rpc.ts";

/** The person columns as the adapter selects them. */
export const personColumns: readonly Column[] = [
  { name: "id", type: "guid" },
  { name: "first_name", type: "nvarchar", length: 50 },
  { name: "middle_name", type: "nvarchar", length: 50 },
  { name: "last_name", type: "nvarchar", length: 100 },
  { name: "suffix", type: "nvarchar", length: 20 },
  { name: "create_time", type: "datetime2" },
  { name: "update_time", type: "datetime2" },
  { name: "row_version", type: "rowversion" },
];

interface Row {
  id: string;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  suffix: string | null;
  create_time: bigint;
  update_time: bigint | null;
  row_version: Buffer;
}

const asRow = (r: Row): Value[] => personColumns.map((c) => r[c.name as keyof Row]);
const one = (name: string, type: Column["type"], value: Value): ResultSet => ({ columns: [{ name, type }], rows: [[value]] });

/**
 * An in-memory stand-in for SQL Server that answers the adapter's tagged
 * statements from the parameters it decodes off the wire, with the same
 * semantics as the real SQL (keyset order, request ids, rowversion checks).
 * Order ties are broken by id text, not SQL Server's GUID order.
 */
export function createFakePersonDb(): RpcHandler & { rows: Map<string, Row> } {
  const rows = new Map<string, Row>();
  const requests = new Map<string, { fingerprint: string; personId: string; at: bigint }>();
  let version = 0n;
  const nextVersion = () => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(++version);
    return b;
  };
  const key = (r: { last_name: string; first_name: string; id: string }) => [r.last_name, r.first_name, r.id] as const;
  const compare = (a: readonly string[], b: readonly string[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return 0;
  };

  const handler = (call: RpcCall): Reply => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = (name: string): any => call.params.get(name)?.value;
    switch (call.tag) {
      case "migrate":
        return { results: [one("applied", "int", 1)] };
      case "ping":
        return { results: [one("ok", "int", 1)] };
      case "get-person": {
        const row = rows.get(p("id"));
        return { results: [{ columns: personColumns, rows: row ? [asRow(row)] : [] }] };
      }
      case "list-people": {
        const after = call.params.has("last_name") ? [p("last_name"), p("first_name"), p("id")] : undefined;
        const sorted = [...rows.values()].sort((a, b) => compare(key(a), key(b)));
        const page = sorted.filter((r) => !after || compare(key(r), after) > 0).slice(0, p("limit"));
        return { results: [{ columns: personColumns, rows: page.map(asRow) }] };
      }
      case "create-person": {
        let outcome = "created";
        let ref: string = p("id");
        const requestId: string | null = p("request_id");
        const notBefore: bigint = p("not_before");
        if (p("sweep") === 1) for (const [k, v] of requests) if (v.at < notBefore) requests.delete(k);
        const found = requestId ? requests.get(requestId) : undefined;
        const seen = found && found.at >= notBefore ? found : undefined;
        if (seen) {
          ref = seen.personId;
          outcome = seen.fingerprint === p("fingerprint") ? "replayed" : "key-reused";
        } else {
          if (rows.has(p("id"))) return { error: { number: 2627, message: "Violation of PRIMARY KEY constraint 'person_pk'." } };
          if (requestId) requests.set(requestId, { fingerprint: p("fingerprint"), personId: p("id"), at: p("create_time") });
          rows.set(p("id"), {
            id: p("id"),
            first_name: p("first_name"),
            middle_name: p("middle_name"),
            last_name: p("last_name"),
            suffix: p("suffix"),
            create_time: p("create_time"),
            update_time: null,
            row_version: nextVersion(),
          });
        }
        const row = rows.get(ref);
        const columns: Column[] = [{ name: "outcome", type: "varchar", length: 16 }, { name: "ref_id", type: "guid" }, ...personColumns];
        return { results: [{ columns, rows: [[outcome, ref, ...(row ? asRow(row) : personColumns.map(() => null))]] }] };
      }
      case "update-person":
      case "delete-person": {
        const row = rows.get(p("id"));
        const etag: Buffer | null = p("etag");
        const matches = row !== undefined && (etag === null || etag.equals(row.row_version));
        const changed: Value[][] = [];
        if (matches && call.tag === "update-person") {
          Object.assign(row, {
            first_name: p("first_name"),
            middle_name: p("middle_name"),
            last_name: p("last_name"),
            suffix: p("suffix"),
            update_time: p("update_time"),
            row_version: nextVersion(),
          });
          changed.push(asRow(row));
        } else if (matches) {
          rows.delete(row.id);
          changed.push([row.id]);
        }
        const first: ResultSet =
          call.tag === "update-person"
            ? { columns: personColumns, rows: changed }
            : { columns: [{ name: "deleted_id", type: "guid" }], rows: changed };
        return { results: [first, one("exists_now", "int", rows.has(p("id")) ? 1 : 0)] };
      }
      default:
        return { error: { number: 2812, message: `unknown statement ${call.tag || call.statement.slice(0, 40)}` } };
    }
  };
  return Object.assign(handler, { rows });
}
