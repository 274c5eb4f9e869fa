// Renders /openapi.json as a readable reference, with no third-party code or CDN.

const spec = await (await fetch("/openapi.json")).json();
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

function resolve(schema) {
  if (!schema?.$ref) return schema ?? {};
  return spec.components.schemas[schema.$ref.split("/").pop()] ?? {};
}

function typeOf(schema) {
  const s = resolve(schema);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).map(typeOf).join(" | ");
  if (s.type === "array") return `${typeOf(s.items)}[]`;
  const name = schema?.$ref ? schema.$ref.split("/").pop() : "";
  return [s.type, name && `(${name})`].filter(Boolean).join(" ") || "any";
}

function rules(s) {
  const r = [];
  if (s.minLength !== undefined) r.push(`min length ${s.minLength}`);
  if (s.maxLength !== undefined) r.push(`max length ${s.maxLength}`);
  if (s.minimum !== undefined) r.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) r.push(`≤ ${s.maximum}`);
  if (s.pattern) r.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) r.push(`default ${JSON.stringify(s.default)}`);
  if (s.format) r.push(s.format);
  return r.join(", ");
}

function schemaTree(schema, depth = 0) {
  const s = resolve(schema);
  const target = s.type === "array" ? resolve(s.items) : s;
  if (!target.properties || depth > 4) return null;
  const required = new Set(target.required ?? []);
  return el(
    "ul",
    { class: "schema" },
    ...Object.entries(target.properties).map(([name, prop]) => {
      const p = resolve(prop);
      return el(
        "li",
        {},
        el("code", {}, name),
        ": ",
        el("span", { class: "type" }, typeOf(prop)),
        required.has(name) ? el("span", { class: "req" }, " required") : null,
        rules(p) ? el("span", { class: "rule" }, ` — ${rules(p)}`) : null,
        p.description ? el("div", { class: "rule" }, p.description) : null,
        schemaTree(prop, depth + 1),
      );
    }),
  );
}

function operation(path, method, op) {
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, "-");
  const section = el("section", { id, "aria-labelledby": `${id}-h` });
  section.append(el("h2", { id: `${id}-h` }, el("span", { class: `method ${method}` }, method.toUpperCase()), el("span", { class: "path" }, path)));
  if (op.summary) section.append(el("p", {}, el("strong", {}, op.summary)));
  if (op.description) section.append(el("p", {}, op.description));
  if (op.security?.length) section.append(el("p", {}, "Requires ", el("code", {}, "Authorization: Bearer <token>"), "."));
  if (op.parameters?.length) {
    section.append(el("h3", {}, "Parameters"));
    const rows = op.parameters.map((p) => el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.in), el("td", {}, typeOf(p.schema)), el("td", {}, [rules(resolve(p.schema)), p.schema?.description ?? p.description].filter(Boolean).join(" — "))));
    section.append(el("table", {}, el("thead", {}, el("tr", {}, ...["Name", "In", "Type", "Notes"].map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, ...rows)));
  }
  const body = op.requestBody?.content?.["application/json"]?.schema;
  if (body) section.append(el("h3", {}, "Request body (application/json)"), schemaTree(body));
  section.append(el("h3", {}, "Responses"));
  for (const [status, res] of Object.entries(op.responses ?? {})) {
    const content = res.content ?? {};
    const types = Object.keys(content);
    section.append(el("p", {}, el("code", {}, status), ` ${res.description ?? ""}`, types.length ? ` (${types.join(", ")})` : ""));
    const schema = content["application/json"]?.schema;
    if (schema && !status.startsWith("4") && !status.startsWith("5")) section.append(schemaTree(schema));
  }
  return section;
}

document.getElementById("title").textContent = `${spec.info.title} reference (v${spec.info.version})`;
document.getElementById("intro").textContent = spec.info.description ?? "";
const main = document.getElementById("ops");
main.replaceChildren();
const errorSchema = spec.components?.schemas?.Error;
for (const [path, methods] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    const section = operation(path, method, op);
    main.append(section);
    document.getElementById("toc").append(el("li", {}, el("a", { href: `#${section.id}` }, `${method.toUpperCase()} ${path}`)));
  }
}
if (errorSchema) {
  main.append(el("h2", { id: "errors" }, "Errors"), el("p", {}, "Every error has this shape; ", el("code", {}, "code"), " is stable and safe to branch on:"), schemaTree(errorSchema));
  const codes = errorSchema.properties.error.properties.code.enum ?? [];
  main.append(el("p", {}, ...codes.flatMap((c, i) => [i ? ", " : "", el("code", {}, c)])));
}
