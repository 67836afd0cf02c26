// `npm run build -w @tidings/client` (turbo runs it as the package's `build`): dist/index.js and
// its types for Node and bundlers, and the browser builds the server serves at /sdk/. The types
// are bundled into one file with the protocol's types they use inlined, so the published package
// needs nothing from the workspace.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateDtsBundle } from "dts-bundle-generator";
import { build } from "esbuild";
import { BUNDLES, PACKAGE_DIR } from "./bundles.ts";

const dist = join(PACKAGE_DIR, "dist");
await rm(dist, { recursive: true, force: true });
await Promise.all(
  BUNDLES.map((bundle) => build({ ...bundle.options, outfile: join(PACKAGE_DIR, bundle.file) })),
);

// tsconfig.build.json resolves @tidings/protocol to its built declarations (turbo builds it
// first): the generator cannot follow the `.ts` imports of its source.
const [types] = generateDtsBundle(
  [
    {
      filePath: join(PACKAGE_DIR, "src/index.ts"),
      // Only what src/index.ts exports is public; the types it refers to stay unexported.
      output: { noBanner: true, exportReferencedTypes: false },
      libraries: { inlinedLibraries: ["@tidings/protocol"] },
    },
  ],
  { preferredConfigPath: join(PACKAGE_DIR, "tsconfig.build.json") },
);
await writeFile(join(dist, "index.d.ts"), types!);
