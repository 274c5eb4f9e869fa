// Canned responses: agents insert saved replies with placeholders such as
// `{{customer.name}}`. Placeholders are looked up as plain data paths and never evaluated,
// so a template can neither run code nor reach anything but the variables it is given.

/** The variables a template may use: nested plain objects of strings and numbers. */
export interface TemplateVars {
  [key: string]: string | number | boolean | null | undefined | TemplateVars;
}

export interface RenderOptions {
  /** What a placeholder without a value renders as, unless it names its own (default ""). */
  fallback?: string;
}

/**
 * `{{ path }}` or `{{ path | default text }}`, where path is dotted identifiers. Anything else
 * between braces is not a placeholder and is left as written.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(?:\|([^{}]*))?\}\}/g;

/**
 * Renders a template: each placeholder becomes its variable's value; a missing, empty or
 * non-text value renders the placeholder's own default (`{{customer.name|there}}`), else the
 * fallback. Never throws.
 */
export function renderTemplate(template: string, vars: TemplateVars, options: RenderOptions = {}): string {
  const fallback = options.fallback ?? "";
  return template.replace(PLACEHOLDER, (_match, path: string, own: string | undefined) => {
    const value = lookup(vars, path);
    if (value !== null) return value;
    return own === undefined ? fallback : own.trim();
  });
}

/** The variable paths a template uses, in order of first use (to check a template when it is saved). */
export function templateVariables(template: string): string[] {
  const seen = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) seen.add(m[1]!);
  return [...seen];
}

function lookup(vars: TemplateVars, path: string): string | null {
  let node: TemplateVars[string] = vars;
  for (const key of path.split(".")) {
    // Own properties only: `{{constructor.name}}` must not reach Object's prototype.
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return null;
    node = node[key];
  }
  if (typeof node === "string") return node.length > 0 ? node : null;
  if (typeof node === "number") return Number.isFinite(node) ? String(node) : null;
  if (typeof node === "boolean") return String(node);
  return null;
}
