import { getOption, hasOption, type DescMethod } from "@bufbuild/protobuf";
import { http } from "../../../gen/google/api/annotations_pb.js";
import type { HttpRule } from "../../../gen/google/api/http_pb.js";
import { compilePathTemplate, type PathTemplate } from "./path-template.ts";

/** One REST route of an RPC, from its google.api.http rule or an additional binding. */
export interface HttpBinding {
  readonly verb: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  readonly template: PathTemplate;
  readonly path: string;
  /** "" (no body), "*" (the whole request) or a top-level field name. */
  readonly body: string;
  /** "" (the whole response) or a top-level field name. */
  readonly responseBody: string;
}

function bindingOf(rule: HttpRule): HttpBinding | undefined {
  const { pattern } = rule;
  if (pattern.case === undefined || pattern.case === "custom") return undefined;
  const verb = pattern.case.toUpperCase() as HttpBinding["verb"];
  return { verb, template: compilePathTemplate(pattern.value), path: pattern.value, body: rule.body, responseBody: rule.responseBody };
}

/** Every REST binding declared on a method (none when it has no google.api.http option). */
export function httpBindingsOf(method: DescMethod): HttpBinding[] {
  if (!hasOption(method, http)) return [];
  const rule = getOption(method, http);
  return [rule, ...rule.additionalBindings].map(bindingOf).filter((b): b is HttpBinding => b !== undefined);
}
