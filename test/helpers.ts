// Kept only because laws/selftest.laws.test.ts and laws/tensor-selftest.laws.test.ts import `rejects`
// from here. Everything is defined in test/support/; import from there. Delete this file once laws/
// imports "../test/support/approx.ts".
export { rejects } from "./support/approx.ts";
