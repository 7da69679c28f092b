// The layering of src/: every relative import (type-only ones included) points to the same layer or a
// lower one, there is no import cycle, no file is over 300 lines, interpreters never import each
// other, every file sits in a known layer, and nothing in src/ imports laws/, test/, examples/ or
// bench/. The analysis is a set of pure functions over a (path → text) map, checked first on a small
// in-memory tree that breaks every rule, so the checks on the real src/ cannot pass vacuously.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The layers of src/, lowest first. A file may import from its own layer or a lower one, never from
 * a higher one. An entry ending in "/" is a folder (everything below it); any other entry is one file.
 */
const LAYERS: readonly { readonly name: string; readonly paths: readonly string[] }[] = [
  /* 0 */ { name: "base", paths: ["src/base/"] },
  /* 1 */ { name: "backend", paths: ["src/backend/"] },
  /* 2 */ { name: "tensor", paths: ["src/tensor/"] },
  /* 3 */ { name: "core", paths: ["src/core/"] },
  /* 4 */ { name: "tree", paths: ["src/tree/"] },
  /* 5 */ { name: "rules", paths: ["src/rules/"] },
  /* 6 */ { name: "interpreters", paths: ["src/interpreters/"] },
  /* 7 */ { name: "transforms", paths: ["src/transforms/"] },
  /* 8 */ { name: "library", paths: ["src/nn/", "src/optim/", "src/regularize/", "src/train/", "src/random/", "src/algebra/", "src/io/"] },
  /* 9 */ { name: "entry", paths: ["src/index.ts", "src/internal.ts"] },
];

const MAX_LINES = 300;
const INTERPRETERS = "src/interpreters/";
/** Top-level folders of the repository that src/ must never import. */
const OUTSIDE = ["laws/", "test/", "examples/", "bench/"];

type Files = ReadonlyMap<string, string>;
type Graph = ReadonlyMap<string, readonly string[]>;

// ---------------------------------------------------------------------------------------------
// The analysis: pure functions of (repository-relative posix path → text).

/** The text with every comment replaced by spaces (line breaks kept), strings and code untouched. */
function stripComments(text: string): string {
  let out = "";
  let i = 0;
  let last = ""; // the last significant character of code, to tell a regex literal from a division
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`" || (c === "/" && (last === "" || "(,=:[!&|?{};+-*%<>~^".includes(last)))) {
      // a string, a template (its ${…} parts are kept as text: imports never live there) or a regex
      let j = i + 1;
      let inClass = false;
      while (j < text.length) {
        const d = text[j];
        if (d === "\\") {
          j += 2;
          continue;
        }
        if (c === "/" && d === "[") inClass = true;
        else if (c === "/" && d === "]") inClass = false;
        else if (d === c && !inClass) break;
        else if (d === "\n" && c !== "`") break; // unterminated: stop at the line's end
        j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      last = "x";
    } else {
      if (!/\s/.test(c)) last = c;
      out += c;
      i++;
    }
  }
  return out;
}

/** Every relative module specifier of static imports and re-exports (type-only too), side-effect and dynamic imports. */
function relativeSpecifiers(text: string): string[] {
  const code = stripComments(text);
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[\w$*{},\s]*?\bfrom\s*(["'])(\.{1,2}\/[^"'\n]*)\1/g, // import … from, export … from
    /\bimport\s*(["'])(\.{1,2}\/[^"'\n]*)\1/g, // import "./side-effect.ts"
    /\bimport\s*\(\s*(["'])(\.{1,2}\/[^"'\n]*)\1\s*\)/g, // import("./x.ts")
  ];
  return patterns.flatMap((p) => [...code.matchAll(p)].map((m) => m[2]));
}

/** The repository path `specifier` names from `from`: as written, or with .ts or /index.ts when those exist. */
function resolveSpecifier(from: string, specifier: string, files: Files): string {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [target, target.replace(/\.js$/, ".ts"), `${target}.ts`, `${target}/index.ts`];
  return candidates.find((c) => files.has(c)) ?? target;
}

/** Each file's resolved relative imports, in order, without repeats. */
function importGraph(files: Files): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [path, text] of files) {
    graph.set(path, [...new Set(relativeSpecifiers(text).map((s) => resolveSpecifier(path, s, files)))]);
  }
  return graph;
}

/** The index of the layer holding `path`, or undefined. */
function layerOf(path: string): number | undefined {
  const index = LAYERS.findIndex(({ paths }) => paths.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p)));
  return index < 0 ? undefined : index;
}

const named = (path: string): string => {
  const layer = layerOf(path);
  return layer === undefined ? `${path} (no layer)` : `${path} (${layer} ${LAYERS[layer].name})`;
};

/** Imports of a file of a higher layer. */
function upwardImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const lf = layerOf(from);
    for (const to of targets) {
      const lt = layerOf(to);
      if (lf !== undefined && lt !== undefined && lt > lf) out.push(`${named(from)} imports ${named(to)}`);
    }
  }
  return out;
}

/** The strongly connected components of more than one file, and files that import themselves (Tarjan). */
function importCycles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** One closed path through a cycle's files, starting and ending at its first file: a → b → … → a. */
function loopThrough(component: readonly string[], graph: Graph): string[] {
  const start = component[0];
  const inside = new Set(component);
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component];
}

/** The number of lines, as an editor counts them (a final line break ends the last line). */
const lineCount = (text: string): number => (text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0));

/** Files over `max` lines. */
function longFiles(files: Files, max = MAX_LINES): string[] {
  return [...files].filter(([, text]) => lineCount(text) > max).map(([path, text]) => `${path} has ${lineCount(text)} lines`);
}

const interpreterOf = (path: string): string | undefined =>
  path.startsWith(INTERPRETERS) ? /^([^/]+)\//.exec(path.slice(INTERPRETERS.length))?.[1] : undefined;

/** A file of one src/interpreters/<name>/ folder importing from another. */
function crossInterpreterImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = interpreterOf(from);
    if (a === undefined) continue;
    for (const to of targets) {
      const b = interpreterOf(to);
      if (b !== undefined && b !== a) out.push(`${from} (interpreter ${a}) imports ${to} (interpreter ${b})`);
    }
  }
  return out;
}

/** Files under src/ in no layer of LAYERS. */
function unplacedFiles(files: Files): string[] {
  return [...files.keys()].filter((p) => p.startsWith("src/") && layerOf(p) === undefined);
}

/** Imports from src/ into laws/, test/, examples/ or bench/. */
function importsOutOfSrc(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    if (!from.startsWith("src/")) continue;
    for (const to of targets) if (OUTSIDE.some((o) => to.startsWith(o))) out.push(`${from} imports ${to}`);
  }
  return out;
}

/** Every check at once. */
function analyse(files: Files) {
  const graph = importGraph(files);
  return {
    graph,
    upward: upwardImports(graph),
    cycles: importCycles(graph).map((c) => `${c.length === 1 ? "imports itself" : `${c.length} files`}: ${loopThrough(c, graph).join(" → ")}`),
    long: longFiles(files),
    crossInterpreter: crossInterpreterImports(graph),
    unplaced: unplacedFiles(files),
    outOfSrc: importsOutOfSrc(graph),
  };
}

// ---------------------------------------------------------------------------------------------

/** Fails naming every offender (one a line), passes on none. */
function expectNone(what: string, offenders: readonly string[]): void {
  if (offenders.length > 0) expect.fail(`${offenders.length} ${what}:\n  ${offenders.join("\n  ")}`);
}

describe("the checker itself, on an in-memory tree that breaks every rule", () => {
  const bad: Files = new Map([
    ["src/base/shape.ts", 'import { trace } from "../core/trace.ts";\nexport const shape = 1;\n'], // upward 0 → 3
    ["src/core/trace.ts", 'import type { Value } from "./value.ts";\nexport const trace = 1;\n'],
    ["src/core/value.ts", 'export * from "./trace.ts";\n'], // cycle with trace.ts
    ["src/rules/self.ts", 'import "./self.ts";\n'], // imports itself
    ["src/rules/long.ts", "export const x = 1;\n".repeat(301)], // 301 lines
    ["src/rules/exactly300.ts", "export const y = 2;\n".repeat(300)], // at the limit: fine
    ["src/interpreters/forward/trace.ts", 'import { tape } from "../reverse/tape.ts";\n'], // across interpreters
    ["src/interpreters/reverse/tape.ts", 'import { shape } from "../../base/shape.ts";\nexport const tape = 1;\n'],
    ["src/vmap/batch.ts", "export const batch = 1;\n"], // in no layer
    ["src/transforms/jit.ts", 'const { run } = await import("../../laws/programs.ts");\n'], // into laws/
    ["laws/programs.ts", "export const run = 1;\n"],
  ]);
  const report = analyse(bad);

  it("reports the upward import", () => {
    expect(report.upward).toEqual(["src/base/shape.ts (0 base) imports src/core/trace.ts (3 core)"]);
  });
  it("reports the cycle and the self-import, naming their files", () => {
    expect(report.cycles).toHaveLength(2);
    expect(report.cycles.join("\n")).toContain("src/core/trace.ts → src/core/value.ts → src/core/trace.ts");
    expect(report.cycles.join("\n")).toContain("imports itself: src/rules/self.ts → src/rules/self.ts");
  });
  it("reports the 301-line file and not the 300-line one", () => {
    expect(report.long).toEqual(["src/rules/long.ts has 301 lines"]);
  });
  it("reports the import across interpreters", () => {
    expect(report.crossInterpreter).toEqual([
      "src/interpreters/forward/trace.ts (interpreter forward) imports src/interpreters/reverse/tape.ts (interpreter reverse)",
    ]);
  });
  it("reports the file in no layer", () => {
    expect(report.unplaced).toEqual(["src/vmap/batch.ts"]);
  });
  it("reports the import into laws/", () => {
    expect(report.outOfSrc).toEqual(["src/transforms/jit.ts imports laws/programs.ts"]);
  });
  it("fails with every offender in its message", () => {
    expect(() => expectNone("upward imports", ["a imports b", "c imports d"])).toThrow(/2 upward imports:\n {2}a imports b\n {2}c imports d/);
    expect(() => expectNone("upward imports", [])).not.toThrow();
  });

  it("finds every form of relative import, and none in comments or of packages", () => {
    const text = [
      'import { a,',
      '  b } from "./a.ts";',
      'import type { T } from "../core/t.ts";',
      'import * as ns from "./ns.ts";',
      'import def, { c } from "./def.ts";',
      'export { d } from "./d.ts";',
      'export type { E } from "./e.ts";',
      'export * from "./star.ts";',
      'import "./side.ts";',
      'const lazy = () => import("./lazy.ts");',
      '// import { no } from "./commented.ts";',
      '/* export * from "./block.ts"; */',
      'import { pipe } from "fp-ts/function";',
      'const s = "a // not a comment"; import { after } from "./after-string.ts";',
    ].join("\n");
    expect(relativeSpecifiers(text).sort()).toEqual(
      ["./a.ts", "../core/t.ts", "./ns.ts", "./def.ts", "./d.ts", "./e.ts", "./star.ts", "./side.ts", "./lazy.ts", "./after-string.ts"].sort(),
    );
  });
  it("a clean tree has nothing to report", () => {
    const clean = analyse(
      new Map([
        ["src/base/shape.ts", "export const shape = 1;\n"],
        ["src/core/trace.ts", 'import { shape } from "../base/shape.ts";\nimport type { T } from "./types.ts";\n'],
        ["src/core/types.ts", "export type T = number;\n"],
        ["src/index.ts", 'export * from "./core/trace.ts";\n'],
      ]),
    );
    expect({ ...clean, graph: undefined }).toEqual({
      graph: undefined, upward: [], cycles: [], long: [], crossInterpreter: [], unplaced: [], outOfSrc: [],
    });
    expect(clean.graph.get("src/core/trace.ts")).toEqual(["src/base/shape.ts", "src/core/types.ts"]);
  });
});

// ---------------------------------------------------------------------------------------------

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every .ts file under `dir` (repository-relative, posix) → its text. */
function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = posix.join(rel, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) files.set(path, readFileSync(join(root, path), "utf8"));
    }
  };
  walk(dir);
  return files;
}

describe("the layering of src/", () => {
  const files = readTree("src");
  const report = analyse(files);

  it("reads the source tree", () => {
    expect(files.has("src/index.ts")).toBe(true);
    expect([...report.graph.values()].flat().length).toBeGreaterThan(0);
  });
  it("has no upward import (a file imports its own layer or lower ones; import type counts)", () => {
    expectNone("upward imports", report.upward);
  });
  it("has no import cycle", () => {
    expectNone("import cycles", report.cycles);
  });
  it(`has no file over ${MAX_LINES} lines`, () => {
    expectNone(`files over ${MAX_LINES} lines`, report.long);
  });
  it("has no import from one src/interpreters/<name>/ folder into another", () => {
    expectNone("imports across interpreters", report.crossInterpreter);
  });
  it("places every file in a known layer", () => {
    expectNone("files in no layer (add the folder to LAYERS in test/architecture.test.ts deliberately)", report.unplaced);
  });
  it("never imports laws/, test/, examples/ or bench/", () => {
    expectNone("imports out of src/", report.outOfSrc);
  });
});
