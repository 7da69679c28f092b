// The laws of differentiation as executable checks (see laws/README.md). Placeholder entry point
// until the laws land; it re-exports nothing yet.
export {};
