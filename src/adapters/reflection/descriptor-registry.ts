import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { projectRoot } from "../../project-root.ts";

const descriptorSet = new URL("gen/descriptors.binpb", projectRoot);

/**
 * Every proto file the service was built from, with comments and imports, as
 * `npm run generate` wrote them to gen/descriptors.binpb. Read on the first
 * call (reflection or API docs; ~25 ms that start-up does not pay), then kept.
 */
export function createDescriptorRegistry(): () => FileRegistry {
  let registry: FileRegistry | undefined;
  return () => (registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSet))));
}
