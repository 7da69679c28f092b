// The doc tests, in `npm test`: every exported name has a doc comment with a description and an @example;
// every example, and every ```ts block of README.md, is type-checked and run, and its `// =>` and
// `// throws` comments are checked (test/docs/extract.ts says how). A broken example fails here.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { docOf, exportsOf, markdownBlocks, preambleFor, repo, toModule } from "./extract.ts";

const generated = join(repo, "test", "docs", "generated");
const helpers = "../expect.ts";

interface Example {
  readonly title: string;
  readonly file: string;
}

const exported = [...exportsOf("src/index.ts"), ...exportsOf("laws/index.ts")];
const examples: Example[] = [];
/** Generated module text by file name, written before the tests run. */
const writeLater = new Map<string, string>();
const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");

for (const e of exported) {
  const doc = docOf(e);
  doc?.examples.forEach((code, i) => {
    const title = `${e.entry === "src/index.ts" ? "nabla" : "nabla/laws"} ${e.name}${doc.examples.length > 1 ? ` (${i + 1})` : ""} (${e.file}:${doc.line})`;
    // numbered: names that differ only in case (dual, Dual) must not share a file on any file system
    const file = `${String(examples.length).padStart(3, "0")}-${slug(e.entry)}--${e.name}${i > 0 ? `-${i + 1}` : ""}.ts`;
    examples.push({ title, file });
    writeLater.set(file, toModule(code, `${e.name}'s example (${e.file}:${doc.line})`, helpers, preambleFor(code, e.entry, exported)));
  });
}
for (const { code, line } of markdownBlocks("README.md")) {
  const file = `README-${line}.ts`;
  examples.push({ title: `README.md, the block at line ${line}`, file });
  writeLater.set(file, toModule(code, `README.md:${line}`, helpers));
}

beforeAll(() => {
  rmSync(generated, { recursive: true, force: true });
  mkdirSync(generated, { recursive: true });
  for (const [file, text] of writeLater) writeFileSync(join(generated, file), text);
});

describe("every exported name is documented", () => {
  it.each(exported.map((e) => [`${e.entry === "src/index.ts" ? "nabla" : "nabla/laws"} ${e.name}`, e] as const))("%s has a doc comment with a description and an @example", (_, e) => {
    const doc = docOf(e);
    expect(doc, `no doc comment directly above the declaration of ${e.name} in ${e.file}`).toBeDefined();
    expect(doc?.description.length, `${e.name} (${e.file}): the doc comment has no description`).toBeGreaterThan(10);
    expect(doc?.examples.length, `${e.name} (${e.file}): no @example with a \`\`\`ts block`).toBeGreaterThan(0);
  });
});

describe("the examples", () => {
  it("type-check", () => {
    const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", join(repo, "test", "docs", "tsconfig.json")], { cwd: repo, encoding: "utf8" });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it.each(examples.map((e) => [e.title, e] as const))("%s runs and shows what it says", async (_, e) => {
    const module = (await import(join(generated, e.file))) as { checks: number };
    expect(module.checks, `${e.title}: an example shows its result with // => or // throws`).toBeGreaterThan(0);
  });
});

describe("the runner itself", () => {
  it("turns marked lines into checks and leaves the rest as written", () => {
    const m = toModule('const x = 1;\nx + 1; // => 2\nf(x); // throws RangeError /bad/\nsin(1); // => 0.8414…', "t", "h");
    expect(m).toContain("const x = 1;");
    expect(m).toContain('expectDoc(x + 1, 2, "t, line 2: x + 1; // => 2");');
    expect(m).toContain("expectThrows(() => f(x), RangeError, /bad/,");
    expect(m).toContain('expectDoc(sin(1), approx("0.8414"),');
    expect(m).toContain("export const checks = 3;");
  });

  it("fails an example whose comment is wrong, that does not throw as it says, or that throws", async () => {
    const broken = join(generated, "broken");
    mkdirSync(broken, { recursive: true });
    const cases = {
      "value.ts": ['add(1, 2); // => 4', /the example says: 4\n {2}it gives: {9}3/],
      "approx.ts": ["sin(1); // => 0.85…", /the example says: 0\.85…/],
      "throws.ts": ["add(1, 2); // throws", /says it throws, and it did not/],
      "kind.ts": ['tensor([1, 2], [3]); // throws TypeError', /throws a TypeError, and it threw RangeError/],
      "error.ts": ['tensor([1, 2], [3]);\nadd(1, 2); // => 3', /tensor: /],
    } as const;
    for (const [file, [code, message]] of Object.entries(cases)) {
      writeFileSync(join(broken, file), toModule(`import { add, sin, tensor } from "nabla";\n${code}`, file, "../../expect.ts"));
      await expect(import(join(broken, file)), file).rejects.toThrow(message);
    }
  });
});
