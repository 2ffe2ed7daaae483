import type { DescMessage, Message } from "@bufbuild/protobuf";
import { getJsonOptions, limitSerialization, type MethodSerializationLookup, type Serialization } from "@connectrpc/connect/protocol";
import type { RpcHandlerOptions } from "../rpc-router.ts";
import { compileBinaryWriter } from "./binary-writer.ts";
import { compileJsonWriter } from "./json-writer.ts";

/** `base` with its output written by `write` where it vouches for the message, and by `base` (with its own errors) where not, under the same write limit. */
function withWriter<T>(base: Serialization<Message>, write: ((message: Message) => T | undefined) | undefined, bytes: (out: T) => Uint8Array<ArrayBuffer>, options: RpcHandlerOptions): Serialization<Message> {
  if (write === undefined) return base;
  return limitSerialization<Message>(
    {
      parse: (data) => base.parse(data),
      serialize(message) {
        const out = write(message);
        return out === undefined ? base.serialize(message) : bytes(out);
      },
    },
    options,
  );
}

/**
 * `lookup` with its output, JSON and binary, written by the writers
 * compiled for the output type (`json-writer.ts`, `binary-writer.ts`) when
 * that type is covered: the same bytes as connect-es's serialization,
 * which also answers whatever a writer gives up on.
 */
export function withCompiledWriters(
  lookup: MethodSerializationLookup<DescMessage, DescMessage>,
  output: DescMessage,
  options: RpcHandlerOptions,
): MethodSerializationLookup<DescMessage, DescMessage> {
  const json = withWriter(lookup.getO(false), compileJsonWriter(output, getJsonOptions(options.jsonOptions)), (text: string) => Buffer.from(text), options);
  const binary = withWriter(lookup.getO(true), compileBinaryWriter(output), (bytes: Uint8Array<ArrayBuffer>) => bytes, options);
  return { getI: lookup.getI, getO: (isBinary) => (isBinary ? binary : json) };
}
