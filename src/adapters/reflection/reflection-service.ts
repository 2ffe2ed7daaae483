import { toBinary, type DescFile, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { ServerReflection } from "../../../gen/grpc/reflection/v1/reflection_pb.js";

type Impl = ServiceImpl<typeof ServerReflection>;
type Request = Parameters<Impl["serverReflectionInfo"]>[0] extends AsyncIterable<infer R> ? R : never;

const notFound = 5;

/** The file and everything it imports, dependencies first, each once. */
function withDependencies(file: DescFile, seen = new Set<string>()): DescFile[] {
  if (seen.has(file.name)) return [];
  seen.add(file.name);
  return [...file.dependencies.flatMap((d) => withDependencies(d, seen)), file];
}

/**
 * gRPC server reflection (the v1 and v1alpha services share this shape): the
 * served services, and the file descriptors that define any symbol, file or
 * extension, from the descriptor registry, so grpcurl, `buf curl --reflect`
 * and Postman need no proto files. The registry is asked for on the first
 * reflection request (`registryOf` may load it then).
 */
export function createReflectionService(registryOf: () => FileRegistry, served: () => readonly string[]): Impl {
  const files = (file: DescFile | undefined) =>
    file
      ? { case: "fileDescriptorResponse" as const, value: { fileDescriptorProto: withDependencies(file).map((f) => toBinary(FileDescriptorProtoSchema, f.proto)) } }
      : undefined;
  const error = (message: string) => ({ case: "errorResponse" as const, value: { errorCode: notFound, errorMessage: message } });

  function answer(req: Request) {
    const m = req.messageRequest;
    const registry = registryOf();
    switch (m.case) {
      case "listServices":
        return { case: "listServicesResponse" as const, value: { service: served().map((name) => ({ name })) } };
      case "fileByFilename":
        return files(registry.getFile(m.value)) ?? error(`file ${m.value} not found`);
      case "fileContainingSymbol": {
        // A message, enum, service or extension by name; a method or field by its parent's.
        const symbol = m.value.replace(/^\./, "");
        const owner = registry.get(symbol) ?? registry.get(symbol.slice(0, symbol.lastIndexOf(".")));
        return files(owner?.file) ?? error(`symbol ${symbol} not found`);
      }
      case "fileContainingExtension": {
        const message = registry.getMessage(m.value.containingType);
        const extension = message && [...registry].find((d) => d.kind === "extension" && d.extendee.typeName === message.typeName && d.number === m.value.extensionNumber);
        return files(extension && extension.kind === "extension" ? extension.file : undefined) ?? error("extension not found");
      }
      case "allExtensionNumbersOfType": {
        const message = registry.getMessage(m.value);
        if (!message) return error(`type ${m.value} not found`);
        const numbers = [...registry].flatMap((d) => (d.kind === "extension" && d.extendee.typeName === message.typeName ? [d.number] : []));
        return { case: "allExtensionNumbersResponse" as const, value: { baseTypeName: message.typeName, extensionNumber: numbers } };
      }
      default:
        return error("empty request");
    }
  }

  return {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        yield { validHost: req.host, originalRequest: req, messageResponse: answer(req) };
      }
    },
  };
}
