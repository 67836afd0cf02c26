import { isDatabaseUnavailable } from "@tidings/db";

/** A dependency (the database) is down: not the event's fault, so the bus retries without parking it. */
export class DependencyUnavailableError extends Error {
  override readonly name = "DependencyUnavailableError";
  readonly retryable = true;
}

/** Runs `work`, turning "the database cannot be reached" into a retryable failure. */
export async function retryableWhenDatabaseDown<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseUnavailable(error))
      throw new DependencyUnavailableError("the database cannot be reached", { cause: error });
    throw error;
  }
}
