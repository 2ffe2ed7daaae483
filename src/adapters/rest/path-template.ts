/** A path variable of a template: the request field it fills, and how its value is spelled. */
interface TemplateVariable {
  /** Field path in proto names, e.g. ["shelf", "name"]. */
  readonly fieldPath: readonly string[];
  /** Literal segments and Fastify parameter names, joined with "/" to make the value. */
  readonly parts: ReadonlyArray<{ literal: string } | { param: string }>;
}

/** A google.api.http path template compiled for Fastify. */
export interface PathTemplate {
  /** The route for Fastify, e.g. "/v1/shelves/:v0/books/:v1". */
  readonly fastifyPath: string;
  readonly variables: readonly TemplateVariable[];
}

/**
 * Compiles a path template (`/v1/{name=shelves/*}/books/{book_id}:verb`):
 * literals, `{field}` and `{a.b}` variables, variables with a `*`/`**`
 * sub-pattern, and a trailing custom verb.
 */
export function compilePathTemplate(template: string): PathTemplate {
  const verbAt = template.lastIndexOf(":");
  const hasVerb = verbAt > template.lastIndexOf("}") && verbAt > template.lastIndexOf("/");
  const path = hasVerb ? template.slice(0, verbAt) : template;
  const verb = hasVerb ? template.slice(verbAt + 1) : "";
  const segments: string[] = [];
  const variables: TemplateVariable[] = [];
  let counter = 0;
  const param = (wild: boolean) => {
    const name = `v${counter++}`;
    segments.push(wild ? "*" : `:${name}`);
    return { param: wild ? "*" : name };
  };
  for (const token of path.match(/\{[^}]*\}|[^/]+/g) ?? []) {
    if (!token.startsWith("{")) {
      if (token === "*" || token === "**") param(token === "**");
      else segments.push(token.replace(/:/g, "::"));
      continue;
    }
    const [field = "", pattern = "*"] = token.slice(1, -1).split("=");
    const parts = pattern.split("/").map((p) => (p === "*" || p === "**" ? param(p === "**") : (segments.push(p), { literal: p })));
    variables.push({ fieldPath: field.split("."), parts });
  }
  const fastifyPath = "/" + segments.join("/") + (verb ? `::${verb}` : "");
  return { fastifyPath, variables };
}

/** The variables' values from Fastify's route params, as [fieldPath, value] pairs. */
export function bindVariables(template: PathTemplate, params: Record<string, string>): Array<[readonly string[], string]> {
  return template.variables.map((v) => [
    v.fieldPath,
    v.parts.map((p) => ("literal" in p ? p.literal : (params[p.param] ?? ""))).join("/"),
  ]);
}
