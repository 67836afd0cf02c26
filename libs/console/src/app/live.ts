import { createClient, type TidingsClient } from "@tidings/client";
import { useEffect, useState } from "preact/hooks";

/**
 * A realtime connection to the server that served the console, signed in with `token` (null: an
 * anonymous client; undefined: none); closed when the component goes or the token changes.
 */
export function useRealtime(token: string | null | undefined): TidingsClient | undefined {
  const [client, setClient] = useState<TidingsClient>();
  useEffect(() => {
    if (token === undefined) return;
    const created = createClient(location.origin, token === null ? {} : { token });
    setClient(created);
    return () => {
      created.close();
      setClient(undefined);
    };
  }, [token]);
  return client;
}
