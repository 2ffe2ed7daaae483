import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const descriptorSet = new URL("../../../gen/descriptors.binpb", import.meta.url);

/**
 * Every proto file the service was built from, with comments and imports, as
 * `npm run generate` wrote them to gen/descriptors.binpb. Read once at start-up.
 */
export function loadDescriptorRegistry(): FileRegistry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSet)));
}
