import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { PersonService } from "../../gen/person/v1/person_pb.js";

/** Every real client kind the service promises to serve, on one base URL. */
export function transportsFor(baseUrl: string): Record<string, Transport> {
  return {
    "gRPC (h2c)": createGrpcTransport({ baseUrl }),
    "gRPC-Web (HTTP/1.1)": createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    "Connect JSON (HTTP/1.1)": createConnectTransport({ baseUrl, httpVersion: "1.1" }),
    "Connect binary (HTTP/1.1)": createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
    "Connect JSON (h2c)": createConnectTransport({ baseUrl, httpVersion: "2" }),
    "Connect GET (HTTP/1.1)": createConnectTransport({ baseUrl, httpVersion: "1.1", useHttpGet: true }),
  };
}

/** A typed PersonService client on a transport. */
export function personClient(transport: Transport): Client<typeof PersonService> {
  return createClient(PersonService, transport);
}

/** POSTs JSON to a Connect procedure exactly as `curl -H 'content-type: application/json' -d ...` would. */
export async function curlJson(baseUrl: string, method: string, body: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${baseUrl}/person.v1.PersonService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}
