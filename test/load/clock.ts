/**
 * Milliseconds since the epoch with sub-millisecond resolution. Every process of the bench (writer,
 * client workers, baseline server) reads the same system clock through this, so a timestamp taken
 * in one process can be subtracted from one taken in another.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
