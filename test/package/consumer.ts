// The consumer's side of `npm run test:package`: pack nabla as `npm publish` would, install the tarball
// into a fresh project in a temporary folder, and run things there the way a user would (node, tsc,
// esbuild, a static file server for a browser). Nothing here imports nabla: it is only reached
// through the installed package.
import { execFileSync, spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../..", import.meta.url));
export const bin = (name: string): string => join(repo, "node_modules", ".bin", name);
/** TypeScript 5, as most consumers have it (the project itself builds with TypeScript 7). */
export const tsc5 = join(repo, "tools", "ts5", "node_modules", "typescript", "bin", "tsc");
export const tsc7 = join(repo, "node_modules", "typescript", "bin", "tsc");

export interface Packed {
  /** The tarball's path. */
  readonly tarball: string;
  /** Paths inside the package, as `npm pack` lists them. */
  readonly files: readonly string[];
  /** Bytes of the tarball, and unpacked. */
  readonly size: number;
  readonly unpackedSize: number;
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (no shell), never throwing: the caller asserts on the status and output. */
export function run(command: string, args: readonly string[], cwd: string, timeout = 300_000): Run {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  return { status: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

/** Output of a run for an assertion message. */
export const shown = (r: Run): string => `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/**
 * `npm pack` from a dist/ removed first, so the tarball holds what `prepack` built (as `npm publish`
 * would ship it), into `dir`.
 */
export function pack(dir: string): Packed {
  rmSync(join(repo, "dist"), { recursive: true, force: true });
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: repo,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[]; size: number; unpackedSize: number }[];
  if (info === undefined) throw new Error(`npm pack printed no package: ${out}`);
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path), size: info.size, unpackedSize: info.unpackedSize };
}

/** A fresh ESM project in `dir` with the tarball (and the given registry packages) installed by npm. */
export function installConsumer(dir: string, tarball: string, extra: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "nabla-consumer", private: true, type: "module" }, null, 2)}\n`);
  // --prefer-offline: the registry packages are those `npm ci` just put in npm's cache
  const r = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball, ...extra], dir);
  if (r.status !== 0) throw new Error(`npm install of the tarball failed\n${shown(r)}`);
}

export const temporaryFolder = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

/** Writes files (path relative to `dir` → text), creating folders. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/** Every file under `dir` (relative paths, `/`-separated). */
export function listFiles(dir: string, base = dir): string[] {
  return execFileSync("find", [dir, "-type", "f"], { encoding: "utf8" })
    .split("\n")
    .filter((p) => p !== "")
    .map((p) =>
      p
        .slice(base.length + 1)
        .split(sep)
        .join("/"),
    )
    .sort();
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".ts": "text/plain",
};

export interface StaticServer {
  readonly url: string;
  /** Every path requested, in order. */
  readonly requested: readonly string[];
  close(): Promise<void>;
}

/** A plain static file server for `root` on 127.0.0.1 (no bundler, no transform): what a user's web server does. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    requested.push(path);
    const file = normalize(join(root, path === "/" ? "index.html" : path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the static server has no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    requested,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
