import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { GetPersonRequestSchema, GetPersonResponseSchema, PersonSchema, type Person } from "../../gen/person/v1/person_pb.js";

/** A gRPC / gRPC-Web length-prefixed frame. */
export function frame(bytes: Uint8Array, flags = 0): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(bytes.byteLength, 1);
  return Buffer.concat([head, bytes]);
}

/** 1,000 people, as the baselines hold them in a Map (the project gets them through its API). */
export function people(): Map<string, Person> {
  const map = new Map<string, Person>();
  for (let i = 0; i < 1000; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    map.set(id, create(PersonSchema, { id, firstName: `First${i}`, lastName: `Last${i}`, createTime: timestampFromMs(1_767_323_045_000 + i), etag: "1" }));
  }
  return map;
}

/** The request bodies every scenario sends for GetPerson of `id`. */
export function getPersonBodies(id: string) {
  const message = create(GetPersonRequestSchema, { id });
  const binary = toBinary(GetPersonRequestSchema, message);
  return { binary, json: toJsonString(GetPersonRequestSchema, message), grpc: frame(binary) };
}

export { GetPersonRequestSchema, GetPersonResponseSchema };
