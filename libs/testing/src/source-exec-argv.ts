/**
 * Node flags that run a workspace's TypeScript source directly: the `@tidings/source` export
 * condition makes `@tidings/*` imports resolve to `src/` instead of the built `dist/`, and tsx
 * compiles on load. Every process the dev tools and tests start from source uses these.
 */
export const SOURCE_EXEC_ARGV: readonly string[] = [
  "--conditions=@tidings/source",
  "--import",
  "tsx",
];
