// The doc-test runner's reading half: every name exported by the two entry points (src/index.ts and
// laws/index.ts), the doc comment directly above its declaration, the ```ts blocks of its @example
// tags and of README.md, and each block turned into a module whose marked lines check themselves.
//
// In an example, a statement line may end with a marker comment:
//   expr; // => expected      expr must equal `expected`, a JavaScript expression (deep equality; a number
//                             written with a trailing "…" means "these digits, then more": 0.6467…)
//   expr; // throws TypeError  expr must throw, of that class if one is named (a /pattern/ may follow)
// Every other line runs as written, so an example that throws, or imports a name that does not exist,
// fails too. An @example is a ```ts block, or, without one, the tag's whole text (TypeDoc shows it as
// code either way). An example that imports nothing from "nabla" (or "nabla/laws", or fast-check as
// `fc`) sees every name of the entry point it documents, as on that entry point's reference page.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

export const repo = join(dirname(new URL(import.meta.url).pathname), "..", "..");

/** A public name: where it is exported and where it is declared. */
export interface Exported {
  readonly name: string;
  /** The entry point, `src/index.ts` or `laws/index.ts`. */
  readonly entry: string;
  /** The file that declares it, relative to the repository. */
  readonly file: string;
  /** Exported with `export type { … }`. */
  readonly type: boolean;
}

/** A doc comment's parts. */
export interface Doc {
  readonly description: string;
  readonly examples: readonly string[];
  /** 1-based line of the declaration. */
  readonly line: number;
}

const read = (file: string): string => readFileSync(join(repo, file), "utf8");

/** Every name an entry point exports (`export { a, b } from "./x.ts"` and `export type { … }`), with its module. */
export function exportsOf(entry: string): Exported[] {
  const out: Exported[] = [];
  for (const m of read(entry).matchAll(/export\s+(type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
    const file = relative(repo, join(repo, dirname(entry), m[3] ?? ""));
    for (const part of (m[2] ?? "").split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop();
      const type = m[1] !== undefined || part.trim().startsWith("type ");
      if (name !== undefined && name !== "") out.push({ name, entry, file, type });
    }
  }
  return out;
}

const declaration = (name: string): RegExp =>
  new RegExp(`^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function\\*?|const|let|class|interface|type|enum)\\s+${name}\\b`, "m");

/** The doc comment directly above `name`'s declaration in its file (the first one, for overloads), or undefined. */
export function docOf(e: Exported): Doc | undefined {
  const text = read(e.file);
  const at = text.search(declaration(e.name));
  if (at < 0) return undefined;
  const before = text.slice(0, at);
  const m = /\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*$/.exec(before);
  if (m === null) return undefined;
  const body = (m[1] ?? "")
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, ""))
    .join("\n");
  const [description = "", ...tags] = body.split(/^(?=@\w)/m);
  const examples = tags
    .filter((t) => t.startsWith("@example"))
    .flatMap((t) => {
      const fenced = [...t.matchAll(/```ts\n([\s\S]*?)```/g)].map((b) => b[1] ?? "");
      return fenced.length > 0 ? fenced : [t.replace(/^@example[^\n]*\n?/, "")].filter((c) => c.trim() !== "");
    });
  return { description: description.trim(), examples, line: before.split("\n").length };
}

/** The ```ts blocks of a markdown file, with the line each starts on. */
export function markdownBlocks(file: string): { code: string; line: number }[] {
  const text = read(file);
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => ({ code: m[1] ?? "", line: text.slice(0, m.index).split("\n").length }));
}

/** `0.6467…` in an expected value: the digits shown, then more. */
const truncated = /(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)…/g;

/**
 * The example as a module that checks its marked lines: `expr; // => v` becomes a call of `expectDoc`,
 * `expr; // throws C` a call of `expectThrows`. `where` names the example in failure messages.
 */
export function toModule(code: string, where: string, helpers: string, preamble = ""): string {
  let checks = 0;
  const lines = code.split("\n").map((line, i) => {
    const at = `${where}, line ${i + 1}`;
    const value = /^(\s*)(.+?);?\s*\/\/ => (.+)$/.exec(line);
    if (value !== null) {
      checks++;
      const expected = (value[3] ?? "").replace(truncated, (_, digits: string) => `approx(${JSON.stringify(digits)})`);
      return `${value[1]}expectDoc(${value[2]}, ${expected}, ${JSON.stringify(`${at}: ${line.trim()}`)});`;
    }
    const thrown = /^(\s*)(.+?);?\s*\/\/ throws(?: (\w+))?(?: (\/.+\/))?\s*$/.exec(line);
    if (thrown !== null) {
      checks++;
      return `${thrown[1]}expectThrows(() => ${thrown[2]}, ${thrown[3] ?? "undefined"}, ${thrown[4] ?? "undefined"}, ${JSON.stringify(`${at}: ${line.trim()}`)});`;
    }
    return line;
  });
  const header = `import { approx, expectDoc, expectThrows } from ${JSON.stringify(helpers)};\n${preamble}`;
  return `${header}${lines.join("\n")}\nexport const checks = ${checks};\n`;
}

/**
 * The imports an example without its own gets: every name of `nabla` unless it imports from "nabla",
 * every name of `nabla/laws` (but those `nabla` has too) for a laws example unless it imports from
 * there, and fast-check as `fc` where it uses `fc.` without importing it.
 */
export function preambleFor(code: string, entry: string, all: readonly Exported[]): string {
  // names the example imports itself are not imported again
  const own = new Set([...code.matchAll(/import\s*\{([^}]*)\}\s*from/g)].flatMap((m) => (m[1] ?? "").split(",").map((n) => n.trim().replace(/^type\s+/, ""))));
  const list = (names: readonly Exported[]) =>
    names
      .filter((e) => !own.has(e.name))
      .map((e) => (e.type ? `type ${e.name}` : e.name))
      .join(", ");
  const nabla = all.filter((e) => e.entry === "src/index.ts");
  const taken = new Set(nabla.map((e) => e.name));
  const lines: string[] = [];
  if (!/from "nabla"/.test(code)) lines.push(`import { ${list(nabla)} } from "nabla";`);
  if (entry === "laws/index.ts" && !/from "nabla\/laws"/.test(code)) {
    lines.push(`import { ${list(all.filter((e) => e.entry === "laws/index.ts" && !taken.has(e.name)))} } from "nabla/laws";`);
  }
  if (/\bfc\./.test(code) && !/import fc\b/.test(code)) lines.push('import fc from "fast-check";');
  return lines.map((l) => `${l}\n`).join("");
}
