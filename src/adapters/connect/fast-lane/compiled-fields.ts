import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";

/** Whether `v` is a message of type `desc` (by its type name, as protobuf-es checks). */
export const isMessageOf = (v: unknown, desc: DescMessage): boolean => typeof v === "object" && v !== null && (v as Message).$typeName === desc.typeName;

/**
 * The field writers of `desc`, in field-number order (the order protobuf-es
 * writes them in), or undefined if one field is not covered. `pending`
 * stands for `desc` in `compiled` meanwhile, so that a recursive type
 * resolves to it; it is taken out again when `desc` is not covered.
 */
export function compileFields<P, F>(
  desc: DescMessage,
  compiled: Map<DescMessage, P>,
  pending: P,
  fieldWriter: (field: DescField, compiled: Map<DescMessage, P>) => F | undefined,
): F[] | undefined {
  compiled.set(desc, pending);
  const writers: F[] = [];
  for (const field of desc.fields.concat().sort((a, b) => a.number - b.number)) {
    const writer = fieldWriter(field, compiled);
    if (writer === undefined) {
      compiled.delete(desc);
      return undefined;
    }
    writers.push(writer);
  }
  return writers;
}
