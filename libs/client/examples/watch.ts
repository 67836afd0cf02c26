// An example of the client SDK, run as `npm run watch -- <collection> [filter]`: it prints every
// change of a collection as it happens. TIDINGS_URL (default http://127.0.0.1:8090) and
// TIDINGS_TOKEN are read from the environment.
import { createClient } from "@tidings/client";

const [collection, filter] = process.argv.slice(2);
if (!collection) {
  console.error("usage: npm run watch -- <collection> [filter]");
  process.exit(2);
}
const url = process.env.TIDINGS_URL ?? "http://127.0.0.1:8090";
const token = process.env.TIDINGS_TOKEN;
const client = createClient(url, token ? { token } : {});
client.on("state", (state) => console.error(`[${state}]`));
client.on("error", (error) => console.error(`[error] ${error.code}: ${error.message}`));
try {
  await client
    .collection(collection)
    .subscribe("*", (change) => console.log(JSON.stringify(change)), filter ? { filter } : {});
  console.error(
    `[watching ${collection}${filter ? ` where ${filter}` : ""} at ${url}; Ctrl-C to stop]`,
  );
} catch (error) {
  console.error(`[refused] ${(error as Error).message}`);
  client.close();
  process.exit(1);
}
process.on("SIGINT", () => {
  client.close();
  process.exit(0);
});
