// `npm run example:browser`: serves the page on a free localhost port (PORT, default 5173 or the next
// free one) and prints the address; Ctrl-C stops it.
import { startServer } from "./server.ts";

const server = await startServer(Number(process.env.PORT ?? 5173));
console.log(`nabla's worked network in the browser: ${server.url}`);
console.log("(Ctrl-C to stop)");
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
