// Does nabla, as installed (or bundled: argv[2]), make its per-rule copies of functions with `new Function`
// (src/base/codegen.ts specialize), and are those copies self-contained? Every source given to the
// Function constructor is recorded while nabla loads and differentiates; prints them as JSON.
const sources = [];
const Original = globalThis.Function;
globalThis.Function = new Proxy(Original, {
  construct(target, args) {
    sources.push(String(args.at(-1)));
    return Reflect.construct(target, args);
  },
});
const { grad, mul, sin } = await import(process.argv[2] ?? "nabla");
const value = grad((x) => mul(x, sin(x)))(1);
globalThis.Function = Original;
console.log(JSON.stringify({ value, sources }));
