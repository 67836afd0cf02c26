import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { BROWSER_MODULE, BROWSER_SCRIPT, type Bundle, MODULE, PACKAGE_DIR } from "./bundles.ts";

/**
 * What the SDK may add to an app on top of socket.io-client, minified and gzipped (level 9):
 * 12 KiB. It is checked on the SDK's own code, socket.io-client left out.
 */
export const BUDGET_GZIP_BYTES = 12 * 1024;

/** The size of one bundle. */
export interface BundleSize {
  label: string;
  minBytes: number;
  gzipBytes: number;
  /** The gzipped size it must stay within, for the budgeted bundle. */
  budget?: number;
}

/** What is measured: a bundle of the build, or one built only to be measured. */
type Measured = Pick<Bundle, "label" | "options">;

// The SDK alone, minified for browsers as an app's bundler would ship it: the budgeted figure.
const OWN_CODE: Measured = {
  label: "SDK alone (min, socket.io-client external)",
  options: { ...MODULE.options, platform: "browser", minify: true },
};

// socket.io-client alone, built as the browser bundles build it: what the SDK comes on top of.
const SOCKET_IO: Measured = {
  label: "socket.io-client alone (min)",
  options: {
    ...BROWSER_MODULE.options,
    entryPoints: undefined,
    stdin: { contents: 'export * from "socket.io-client";', resolveDir: PACKAGE_DIR },
  },
};

async function measure({ label, options }: Measured): Promise<BundleSize> {
  const { outputFiles } = await build({ ...options, write: false, outfile: "out.js" });
  const code = outputFiles[0]?.contents ?? new Uint8Array();
  return { label, minBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

/** The measured bundles, and what the browser module weighs on top of socket.io-client. */
export interface SizeReport {
  sizes: BundleSize[];
  /** min+gzip of the browser module less that of socket.io-client alone. */
  onTopGzipBytes: number;
  /** min+gzip of socket.io-client alone: the baseline, measured in the same run. */
  socketIoGzipBytes: number;
}

/**
 * Builds the SDK alone, the two browser builds (with the options `npm run build` uses) and
 * socket.io-client alone, in memory, and measures each.
 */
export async function measureBundles(): Promise<SizeReport> {
  const [own, module, script, socketIo] = await Promise.all(
    [OWN_CODE, BROWSER_MODULE, BROWSER_SCRIPT, SOCKET_IO].map(measure),
  );
  return {
    sizes: [{ ...own!, budget: BUDGET_GZIP_BYTES }, module!, script!, socketIo!],
    onTopGzipBytes: module!.gzipBytes - socketIo!.gzipBytes,
    socketIoGzipBytes: socketIo!.gzipBytes,
  };
}

/** The bundles over their budget. */
export function overBudget(sizes: readonly BundleSize[]): BundleSize[] {
  return sizes.filter((size) => size.budget !== undefined && size.gzipBytes > size.budget);
}
