import type { AnyDesc, DescFile } from "@bufbuild/protobuf";

/** The source path of a descriptor (FileDescriptorProto field numbers), to find its comments. */
function pathOf(desc: Exclude<AnyDesc, DescFile>): number[] {
  switch (desc.kind) {
    case "message":
      return desc.parent ? [...pathOf(desc.parent), 3, desc.parent.nestedMessages.indexOf(desc)] : [4, desc.file.messages.indexOf(desc)];
    case "enum":
      return desc.parent ? [...pathOf(desc.parent), 4, desc.parent.nestedEnums.indexOf(desc)] : [5, desc.file.enums.indexOf(desc)];
    case "field":
      return [...pathOf(desc.parent), 2, desc.parent.proto.field.indexOf(desc.proto)];
    case "service":
      return [6, desc.file.services.indexOf(desc)];
    case "rpc":
      return [...pathOf(desc.parent), 2, desc.parent.methods.indexOf(desc)];
    default:
      return [];
  }
}

function fileOf(desc: Exclude<AnyDesc, DescFile>): DescFile {
  return desc.kind === "rpc" ? desc.parent.file : desc.kind === "enum_value" ? desc.parent.file : desc.kind === "oneof" ? desc.parent.file : desc.kind === "field" && !("file" in desc) ? desc.parent.file : (desc as { file: DescFile }).file;
}

/** The leading comment of a descriptor, trimmed; "" when the descriptor set has no source info. */
export function commentOf(desc: Exclude<AnyDesc, DescFile>): string {
  const path = pathOf(desc).join(",");
  const location = fileOf(desc).proto.sourceCodeInfo?.location.find((l: { path: number[] }) => l.path.join(",") === path);
  return (location?.leadingComments ?? "")
    .split("\n")
    .map((l: string) => l.trim())
    .join("\n")
    .trim();
}
