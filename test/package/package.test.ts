// `npm run test:package` (run by .ci/run after `npm test`): nabla as a consumer gets it. The tarball is
// packed by `npm pack` (prepack builds dist/), installed with npm into a fresh project in a temporary
// folder (with fast-check, for nabla/laws), and used there: Node ESM and require, tsc 5 and 7 under
// three module resolutions, publint and arethetypeswrong, esbuild bundles, and the browser page on the
// built files as native modules in headless Chromium.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, openChromium } from "../../examples/browser/chromium.ts";
import {
  bin,
  installConsumer,
  listFiles,
  type Packed,
  pack,
  readJson,
  repo,
  run,
  serveStatic,
  shown,
  temporaryFolder,
  tsc5,
  tsc7,
  writeFiles,
} from "./consumer.ts";

const KiB = 1024;
/** The issue's target for a gzipped bundle of grad, mul and sin. */
const smallTarget = 12 * KiB;
/**
 * What that bundle may not grow past: a regression guard. 13.5 KiB when this test was written, 14.2
 * KiB once every rule carried its vmap batching rule and kinks became rules, 17.1 KiB once the
 * convolution and pooling kernels joined the one Kernels object (which holds it above the target),
 * 19.1 KiB with the robustness work (tree walks over an explicit stack with cycle detection and paths,
 * the pool's size classes, budget and idle release, shape and argument checks naming the function),
 * 23.3 KiB with the WebAssembly SIMD backend (its bytecode emitter and kernels) in that one object,
 * 24.0 KiB once fused loops split at their shifts' bounds and count rows, and the wasm matmul packed
 * panels straight through (all kernel code, which that one object brings along).
 */
const smallBudget = 25 * KiB;

const expectedGradient = Math.sin(1) + Math.cos(1); // d/dx x·sin x at 1
const fastCheck = (readJson(join(repo, "node_modules", "fast-check", "package.json")) as { version: string }).version;

let work = "";
let app = "";
let installed = "";
let packed: Packed;

beforeAll(() => {
  work = temporaryFolder("nabla-package-");
  packed = pack(work);
  app = join(work, "app");
  installConsumer(app, packed.tarball, [`fast-check@${fastCheck}`]);
  installed = join(app, "node_modules", "nabla");
  cpSync(join(repo, "test", "package", "app"), app, { recursive: true });
  console.log(
    `tarball: ${packed.files.length} files, ${(packed.size / KiB).toFixed(1)} KiB (${(packed.unpackedSize / KiB).toFixed(1)} KiB unpacked)`,
  );
}, 600_000);

afterAll(() => {
  if (work !== "" && process.env.NABLA_KEEP_CONSUMER === undefined) rmSync(work, { recursive: true, force: true });
});

describe("the tarball", () => {
  it("holds the built modules with declarations and maps, the sources they map to, README, LICENSE and CHANGELOG, and nothing else", () => {
    const files = packed.files;
    for (const f of [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/laws/index.js",
      "dist/laws/index.d.ts",
    ]) {
      expect(files, f).toContain(f);
    }
    const allowed =
      /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|laws\/README\.md|dist\/(src|laws)\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.ts|laws\/[^/]+\.ts)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|tests|bench|examples|tools|scripts)\/|\.test\.ts$|\.png$|internal\./.test(f))).toEqual([]);
    // every module comes with its declaration and both maps
    const modules = files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
    expect(modules.length).toBeGreaterThan(50);
    for (const m of modules) {
      const stem = m.slice(0, -3);
      expect(
        [`${stem}.d.ts`, `${stem}.js.map`, `${stem}.d.ts.map`].filter((f) => !files.includes(f)),
        m,
      ).toEqual([]);
    }
  });

  it("is a fresh build: prepack made dist/ from the sources", () => {
    const index = readFileSync(join(installed, "dist", "src", "index.js"), "utf8");
    expect(index).toContain("toFloat64Array");
    expect(index).not.toMatch(/from "\.[^"]*\.ts"/); // relative .ts specifiers were rewritten to .js
  });

  it("every source map and declaration map points at a file the tarball holds", () => {
    const maps = listFiles(installed).filter((f) => f.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const m of maps) {
      const map = readJson(join(installed, m)) as { sources: string[]; file: string };
      const dir = join(installed, m, "..");
      for (const s of map.sources) if (!existsSync(join(dir, s))) missing.push(`${m} -> ${s}`);
      if (!existsSync(join(dir, map.file))) missing.push(`${m} -> ${map.file}`);
    }
    expect(missing).toEqual([]);
  });

  it("declares its dependencies as the built code uses them: immer at run time, fast-check a peer of nabla/laws only", () => {
    const manifest = readJson(join(installed, "package.json")) as Record<string, Record<string, unknown> | undefined>;
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(["fp-ts", "immer"]);
    expect(manifest.peerDependencies).toEqual({ "fast-check": expect.any(String) });
    expect(manifest.peerDependenciesMeta).toEqual({ "fast-check": { optional: true } });
    const js = listFiles(installed).filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
    const imports = (f: string) =>
      [...readFileSync(join(installed, f), "utf8").matchAll(/^(?:import|export)[^;]*?from "([^".][^"]*)"/gm)].map((m) => m[1]);
    const bare = new Set(js.flatMap(imports).map((s) => s?.split("/")[0]));
    expect([...bare].sort()).toEqual(["fast-check", "immer"]); // fp-ts is named by the declarations only
    expect(js.filter((f) => f.startsWith("dist/src/") && imports(f).includes("fast-check"))).toEqual([]);
    // one fast-check, shared by the user's arbitraries and the laws
    expect(existsSync(join(installed, "node_modules", "fast-check"))).toBe(false);
  });

  it("publint --strict finds nothing", () => {
    const r = run(bin("publint"), ["--strict", installed], app);
    expect(r.status, shown(r)).toBe(0);
    expect(r.stdout).toContain("All good");
  });

  it("arethetypeswrong finds nothing (esm-only profile: require of an ES module is Node 20.19+'s)", () => {
    const r = run(bin("attw"), [packed.tarball, "--profile", "esm-only", "--format", "json"], app);
    expect(r.status, shown(r)).toBe(0);
    const report = JSON.parse(r.stdout) as { analysis: { problems: { kind: string; resolutionKind?: string }[] } };
    // the one problem it may list is require() of an ES module in the node16-cjs view, which the profile ignores
    expect(report.analysis.problems.filter((p) => !(p.kind === "CJSResolvesToESM" && p.resolutionKind === "node16-cjs"))).toEqual([]);
  });
});

describe("in Node, as installed", () => {
  it("import from nabla and nabla/laws in plain Node ESM computes real gradients and runs the laws", () => {
    const r = run(process.execPath, ["esm.mjs"], app);
    expect(r.status, shown(r)).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.resolved).toBe(`file://${installed}/dist/src/index.js`);
    expect(out.resolvedLaws).toBe(`file://${installed}/dist/laws/index.js`);
    expect(out.grad).toBeCloseTo(expectedGradient, 14);
    expect(out.derivative).toBeCloseTo(expectedGradient, 14);
    expect(out.jit).toBeCloseTo(expectedGradient, 14);
    expect(out.record).toEqual({ w: 42, b: 14 });
    expect(out.tensorGrad).toEqual([2, 4, 6]);
    expect(out.size).toBe(6);
    expect(out.wrongRule).toMatch(/Counterexample/);
  });

  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const requireWorks = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  it.skipIf(!requireWorks)(`require("nabla") works where Node can require ES modules (here Node ${process.versions.node})`, () => {
    const r = run(process.execPath, ["cjs.cjs"], app);
    expect(r.status, shown(r)).toBe(0);
    const out = JSON.parse(r.stdout) as { grad: number; data: number[]; laws: string };
    expect(out.grad).toBeCloseTo(expectedGradient, 14);
    expect(out.data).toEqual([1, 2, 3, 4]);
    expect(out.laws).toBe("function");
  });

  it("specialize copies nabla's functions from the built files, and every copy is self-contained", () => {
    const r = run(process.execPath, ["specialize.mjs"], app);
    expect(r.status, shown(r)).toBe(0);
    const out = JSON.parse(r.stdout) as { value: number; sources: string[] };
    expect(out.value).toBeCloseTo(expectedGradient, 14);
    const copies = out.sources.filter((s) => s.startsWith("return ("));
    expect(copies.length).toBeGreaterThan(10); // the ops and their fast paths, one copy per rule
    expect(copies.filter((s) => /\b__[A-Za-z]+\(/.test(s))).toEqual([]); // no helper a copy could not see
  });
});

describe("TypeScript, as a consumer compiles against the declarations", () => {
  const settings = {
    nodenext: { module: "nodenext", moduleResolution: "nodenext" },
    node16: { module: "node16", moduleResolution: "node16" },
    bundler: { module: "esnext", moduleResolution: "bundler" },
  } as const;
  const compilers = { "TypeScript 5": tsc5, "TypeScript 7": tsc7 } as const;
  for (const [resolution, options] of Object.entries(settings)) {
    for (const [name, tsc] of Object.entries(compilers)) {
      it(`${name} checks a typed program under moduleResolution ${resolution}, skipLibCheck off`, () => {
        const config = `tsconfig.${resolution}.json`;
        writeFiles(app, {
          [config]: JSON.stringify({
            compilerOptions: {
              ...options,
              target: "es2022",
              lib: ["es2022"],
              types: [],
              strict: true,
              skipLibCheck: false,
              noEmit: true,
              exactOptionalPropertyTypes: true,
            },
            files: ["typed.ts"],
          }),
        });
        const r = run(process.execPath, [tsc, "-p", config], app);
        expect(r.status, shown(r)).toBe(0);
      });
    }
  }

  it("a type error in a consumer's program is reported (the declarations are not `any`)", () => {
    writeFiles(app, {
      "broken.ts": 'import { grad, type Real } from "nabla";\nexport const s: string = grad((x: Real) => x)(1);\n',
      "tsconfig.broken.json": JSON.stringify({
        compilerOptions: { ...settings.nodenext, strict: true, noEmit: true, lib: ["es2022"], types: [] },
        files: ["broken.ts"],
      }),
    });
    const r = run(process.execPath, [tsc5, "-p", "tsconfig.broken.json"], app);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/broken\.ts\(2,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });
});

describe("bundled for a browser by esbuild", () => {
  const bundle = async (entry: string, extra: Parameters<typeof build>[0] = {}) => {
    const result = await build({
      entryPoints: [join(app, entry)],
      absWorkingDir: app,
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      metafile: true,
      write: false,
      logLevel: "silent",
      ...extra,
    });
    const code = result.outputFiles?.[0]?.contents ?? new Uint8Array();
    return { code, gzipped: gzipSync(code, { level: 9 }).length, metafile: result.metafile as Metafile };
  };
  const kib = (n: number) => `${(n / KiB).toFixed(1)} KiB`;

  it(`a program using only grad, mul and sin: gzipped size printed, within the budget, without the layers it does not use (target ${kib(smallTarget)})`, async () => {
    const small = await bundle("small.js");
    const whole = await bundle("whole.js");
    // the modules esbuild kept code of (it reads every module the entry imports, and drops what nothing uses)
    const inputs = Object.entries(Object.values(small.metafile.outputs)[0]?.inputs ?? {})
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([p]) => p);
    const byModule = Object.entries(Object.values(small.metafile.outputs)[0]?.inputs ?? {})
      .sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput)
      .slice(0, 8)
      .map(([p, v]) => `${p.replace(/^.*node_modules\/nabla\/dist\/src\//, "")} ${v.bytesInOutput}`);
    console.log(
      [
        `bundle grad+mul+sin: ${small.code.length} bytes minified, ${small.gzipped} bytes gzipped (${kib(small.gzipped)}; target ${kib(smallTarget)}: ${small.gzipped <= smallTarget ? "met" : "not met"})`,
        `bundle of the whole library: ${whole.code.length} bytes minified, ${whole.gzipped} bytes gzipped (${kib(whole.gzipped)})`,
        `largest modules in the small bundle (minified bytes): ${byModule.join(", ")}`,
      ].join("\n"),
    );
    // tree-shaking works: what grad, mul and sin do not reach stays out
    const unused = inputs.filter((p) =>
      /\/dist\/src\/(nn|optim|train|random|regularize|algebra|interpreters\/forward\/(dual|split)|interpreters\/record\/replay|transforms\/(jit|forward|second-order|custom))/.test(
        p,
      ),
    );
    expect(unused).toEqual([]);
    expect(inputs.some((p) => p.includes("immer"))).toBe(false);
    expect(small.gzipped).toBeLessThan(whole.gzipped * 0.6);
    expect(small.gzipped).toBeLessThanOrEqual(smallBudget);
    // and it runs
    writeFileSync(join(app, "small.bundle.mjs"), small.code);
    const r = run(process.execPath, ["small.bundle.mjs"], app);
    expect(r.status, shown(r)).toBe(0);
    expect(Number(r.stdout)).toBeCloseTo(expectedGradient, 14);
  });

  it("minified, the bundle still makes its specialized copies (no helper injected into a copied function)", async () => {
    writeFileSync(join(app, "ops.js"), 'export { grad, mul, sin } from "nabla";\n');
    const ops = await bundle("ops.js");
    writeFileSync(join(app, "ops.bundle.mjs"), ops.code);
    const r = run(process.execPath, ["specialize.mjs", "./ops.bundle.mjs"], app);
    expect(r.status, shown(r)).toBe(0);
    const out = JSON.parse(r.stdout) as { value: number; sources: string[] };
    expect(out.value).toBeCloseTo(expectedGradient, 14);
    const copies = out.sources.filter((s) => s.startsWith("return ("));
    expect(copies.length).toBeGreaterThan(10);
    expect(copies.filter((s) => /\b__[A-Za-z]+\(/.test(s))).toEqual([]);
  });
});

const chromium = findChromium();
const noChromium = "no Chromium installed (apt-get install -y chromium, or set CHROMIUM_PATH)";
describe.skipIf(chromium === undefined)(
  `the browser page on the built files as native modules${chromium === undefined ? ` (skipped: ${noChromium})` : ""}`,
  () => {
    it("examples/browser, compiled by the consumer's tsc and served as plain files with an import map, trains the course's network in headless Chromium", async () => {
      const page = join(app, "page");
      for (const f of ["index.html", "main.ts", "chart.ts", "diagram.ts", "network.ts", "training.ts"])
        cpSync(join(repo, "examples", "browser", f), join(page, f));
      // the page's TypeScript imports "nabla": compiled against the installed declarations, to .js beside it
      writeFiles(page, {
        "tsconfig.json": JSON.stringify({
          compilerOptions: {
            target: "es2022",
            module: "esnext",
            moduleResolution: "bundler",
            lib: ["es2022", "dom", "dom.iterable"],
            types: [],
            strict: true,
            skipLibCheck: false,
            allowImportingTsExtensions: true,
            rewriteRelativeImportExtensions: true,
            outDir: ".",
          },
          files: ["main.ts"],
        }),
      });
      const compiled = run(process.execPath, [tsc5, "-p", "."], page);
      expect(compiled.status, shown(compiled)).toBe(0);
      // the browser resolves "nabla" (and nabla's one run-time dependency) through an import map to the installed
      // files; immer's default ES module reads process.env.NODE_ENV (a bundler replaces it), its production build does not
      const immer = "/node_modules/immer/dist/immer.production.mjs";
      expect(existsSync(join(app, immer))).toBe(true);
      const importMap = { imports: { nabla: "/node_modules/nabla/dist/src/index.js", immer } };
      const html = readFileSync(join(page, "index.html"), "utf8");
      expect(html).toContain('<script type="module" src="./main.ts"></script>');
      writeFileSync(
        join(app, "index.html"),
        html.replace(
          '<script type="module" src="./main.ts"></script>',
          `<script type="importmap">${JSON.stringify(importMap)}</script>\n    <script type="module" src="./page/main.js"></script>`,
        ),
      );

      const server = await serveStatic(app);
      const browser = await openChromium(chromium ?? "");
      const errors: string[] = [];
      try {
        const tab = browser.page;
        tab.on("pageerror", (e) => errors.push(e.message));
        tab.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        await tab.goto(server.url);
        await tab.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
        const shownValue = async (q: string) => (await tab.textContent(`[data-q="${q}"]`)) ?? "";
        expect(await shownValue("E_total")).toBe("0.298371109");
        expect(await shownValue("dE/dw5")).toBe("0.082167041");
        await tab.click("#step");
        expect(await shownValue("w5")).toBe("0.358916480");
        expect(await shownValue("E_total")).toBe("0.291027774");
      } finally {
        await browser.close();
        await server.close();
      }
      expect(errors).toEqual([]);
      // nabla came from the installed dist/, one module per file, and nothing was compiled on the way
      expect(server.requested).toContain("/node_modules/nabla/dist/src/index.js");
      expect(server.requested).toContain("/node_modules/nabla/dist/src/transforms/reverse.js");
      expect(server.requested.filter((p) => p.endsWith(".ts"))).toEqual([]);
      expect(server.requested.filter((p) => p.includes("/nabla/") && !p.startsWith("/node_modules/nabla/dist/"))).toEqual([]);
    });
  },
);
