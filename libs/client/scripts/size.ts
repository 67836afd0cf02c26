// `npm run size -w @tidings/client`: the minified and gzipped size of the SDK and of its browser
// builds; exits 1 when the SDK is over its budget. The figures go to docs/benchmarks.md.
import { measureBundles, overBudget } from "./bundle-size.ts";

const { sizes, onTopGzipBytes, socketIoGzipBytes } = await measureBundles();
const bytes = (n: number) => n.toLocaleString("en-US").padStart(8);
const width = Math.max(...sizes.map((size) => size.label.length));
console.log(`${"bundle".padEnd(width)}       min  min+gzip`);
for (const { label, minBytes, gzipBytes, budget } of sizes) {
  const limit = budget === undefined ? "" : `  (budget ${budget.toLocaleString("en-US")})`;
  console.log(`${label.padEnd(width)}  ${bytes(minBytes)}  ${bytes(gzipBytes)}${limit}`);
}
const ratio = `${((100 * onTopGzipBytes) / socketIoGzipBytes).toFixed(0)} % of socket.io-client alone`;
console.log(
  `browser module on top of socket.io-client: ${bytes(onTopGzipBytes).trim()} (${ratio})`,
);
const over = overBudget(sizes);
for (const size of over) console.error(`over budget: ${size.label}`);
process.exit(over.length > 0 ? 1 : 0);
