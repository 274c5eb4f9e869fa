// Every regular expression the project's own code holds, read from the sources with the
// TypeScript compiler's parser (not by text matching, which strings and comments fool):
// regex literals, and `new RegExp(…)` / `RegExp(…)` whose arguments are string constants,
// templates and `+` of them, or `const`s of the same file holding such values. A RegExp
// built any other way is reported as dynamic, for the caller to list and check by hand.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** A regular expression found in a source file, at its 1-based line. */
export interface FoundRegex {
  at: string;
  source: string;
  flags: string;
}

/** A RegExp built from values only known at run time: its file and argument, as written. */
export interface DynamicRegex {
  at: string;
  file: string;
  argument: string;
}

/** The project's own code: TypeScript under src/, the pages' JavaScript under public/. */
export const SCANNED = [
  { dir: "src", ext: ".ts" },
  { dir: "public", ext: ".js" },
];

/** Third-party bundles (swagger-ui, uPlot), vendored as shipped: not ours to rewrite. */
export const EXCLUDED_DIRS = ["public/vendor"];

function filesUnder(root: string, dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!EXCLUDED_DIRS.includes(path)) out.push(...filesUnder(root, path, ext));
    } else if (entry.name.endsWith(ext) && !entry.name.endsWith(".d.ts")) {
      out.push(path);
    }
  }
  return out;
}

/** The string value of an expression made of literals and same-file constants, if it has one. */
function constantString(node: ts.Expression, consts: Map<string, ts.Expression>, seen = new Set<string>()): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return constantString(node.expression, consts, seen);
  if (ts.isTemplateExpression(node)) {
    let out = node.head.text;
    for (const span of node.templateSpans) {
      const value = constantString(span.expression, consts, seen);
      if (value === undefined) return undefined;
      out += value + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = constantString(node.left, consts, seen);
    const right = left === undefined ? undefined : constantString(node.right, consts, seen);
    return right === undefined ? undefined : left! + right;
  }
  if (ts.isIdentifier(node) && consts.has(node.text) && !seen.has(node.text)) {
    return constantString(consts.get(node.text)!, consts, new Set([...seen, node.text]));
  }
  return undefined;
}

/** The `const`s of a file; a name also declared otherwise (twice, `let`, no value) is dropped. */
function constantsOf(file: ts.SourceFile): Map<string, ts.Expression> {
  const consts = new Map<string, ts.Expression>();
  const ambiguous = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) {
      const list = node.parent;
      const isConst = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
      if (consts.has(node.name.text) || !isConst || !node.initializer) ambiguous.add(node.name.text);
      else consts.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  for (const name of ambiguous) consts.delete(name);
  return consts;
}

function isRegExpConstructor(node: ts.Node): node is ts.NewExpression | ts.CallExpression {
  return (ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === "RegExp";
}

/** Every regex in the scanned sources under `root`, and every RegExp built dynamically. */
export function regexInventory(root: string): { found: FoundRegex[]; dynamic: DynamicRegex[] } {
  const found: FoundRegex[] = [];
  const dynamic: DynamicRegex[] = [];
  for (const { dir, ext } of SCANNED) {
    for (const path of filesUnder(root, dir, ext)) {
      const kind = ext === ".js" ? ts.ScriptKind.JS : ts.ScriptKind.TS;
      const file = ts.createSourceFile(path, readFileSync(join(root, path), "utf8"), ts.ScriptTarget.Latest, true, kind);
      const consts = constantsOf(file);
      const at = (node: ts.Node) => `${path}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
      const visit = (node: ts.Node): void => {
        if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
          const text = node.getText(file);
          const end = text.lastIndexOf("/");
          found.push({ at: at(node), source: text.slice(1, end), flags: text.slice(end + 1) });
        } else if (isRegExpConstructor(node)) {
          const [pattern, flagsArg] = node.arguments ?? [];
          // `new RegExp(/literal/)` is found as the literal itself.
          if (!(pattern && ts.isRegularExpressionLiteral(pattern) && !flagsArg)) {
            const source = pattern ? constantString(pattern, consts) : "(?:)";
            const flags = flagsArg ? constantString(flagsArg, consts) : "";
            if (source === undefined || flags === undefined) dynamic.push({ at: at(node), file: path, argument: pattern!.getText(file) });
            else found.push({ at: at(node), source, flags });
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
  }
  return { found, dynamic };
}
