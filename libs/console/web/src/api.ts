// The console's API as the page calls it: same origin, the session cookie does the rest.
export type * from "../../src/api-types.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Set when the API answers 401: the page shows the sign-in form. */
export const auth = { onUnauthorized: (): void => undefined };

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 401) auth.onUnauthorized();
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? res.statusText);
  return body as T;
}

export const getJson = async <T>(path: string): Promise<T> => answer<T>(await fetch(`api${path}`, { credentials: "same-origin" }));

export const postJson = async <T>(path: string, body: unknown): Promise<T> =>
  answer<T>(
    await fetch(`api${path}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

/** Signs in with the token: the server answers with the session cookie. */
export async function signIn(token: string): Promise<boolean> {
  const res = await fetch("login", {
    method: "POST",
    credentials: "same-origin",
    headers: { authorization: `Bearer ${token}` },
    redirect: "manual",
  });
  return res.type === "opaqueredirect" || res.ok;
}

/**
 * Server-sent events on `path`, one handler per event name; returns the
 * close function. EventSource reconnects by itself after a dropped stream.
 */
export function subscribe(path: string, handlers: Record<string, (data: unknown) => void>, onError?: () => void): () => void {
  const source = new EventSource(`api${path}`);
  for (const [name, handler] of Object.entries(handlers))
    source.addEventListener(name, (e) => handler(JSON.parse((e as MessageEvent<string>).data)));
  source.onerror = () => {
    // EventSource does not say why it failed: a plain request tells a lost session (401) from a lost connection.
    void getJson("/templates").catch(() => undefined);
    onError?.();
  };
  return () => source.close();
}
