/**
 * Baseline 3: @grpc/grpc-js, the reference gRPC server for Node, doing the
 * same work as the bare baseline: decode with @bufbuild/protobuf, look the
 * person up in a Map, encode. gRPC only (grpc-js speaks no Connect, gRPC-Web
 * or HTTP/1.1). The "gRPC >= 1.0x grpc-js" target is measured against it.
 * Usage: node scripts/bench/grpcjs-server.ts <h2c-port>
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { GetPersonRequestSchema, GetPersonResponseSchema, people } from "./fixtures.ts";

const db = people();
const [port] = process.argv.slice(2).map(Number);

const codec = <T extends DescMessage>(schema: T) => ({
  serialize: (message: MessageShape<T>) => Buffer.from(toBinary(schema, message)),
  deserialize: (bytes: Buffer) => fromBinary(schema, bytes),
});
const request = codec(GetPersonRequestSchema);
const response = codec(GetPersonResponseSchema);

const definition: ServiceDefinition = {
  GetPerson: {
    path: "/person.v1.PersonService/GetPerson",
    requestStream: false,
    responseStream: false,
    requestSerialize: request.serialize,
    requestDeserialize: request.deserialize,
    responseSerialize: response.serialize,
    responseDeserialize: response.deserialize,
  },
};

type Req = MessageShape<typeof GetPersonRequestSchema>;
type Res = MessageShape<typeof GetPersonResponseSchema>;

const server = new Server();
server.addService(definition, {
  GetPerson: (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => callback(null, create(GetPersonResponseSchema, { person: db.get(call.request.id) })),
});
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
  console.log("ready");
});
