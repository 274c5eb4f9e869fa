// What the OpenAI-compatible embeddings and rerank endpoints share: a JSON POST with an
// optional bearer key, its failures told apart (unreachable, timeout, status, rate limited,
// malformed) as the caller's error, whose detail is a status or an error name, never text.

export type SemanticErrorKind = "unreachable" | "status" | "rate_limited" | "malformed" | "timeout";

export interface PostJsonOptions {
  apiKey?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** `{base}/v1/{path}`, or `{base}/{path}` when the base already ends in /v1. */
export function v1Url(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/(?<!\/)\/+$/, "");
  return /\/v1$/.test(base) ? `${base}/${path}` : `${base}/v1/${path}`;
}

/** The parsed JSON answer of a POST, or `error(kind, detail)` thrown. */
export async function postJson<T>(url: string, body: unknown, options: PostJsonOptions, error: (kind: SemanticErrorKind, detail: string) => Error): Promise<T> {
  const aborted = (err: unknown) => ["TimeoutError", "AbortError"].includes((err as Error).name);
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(options.apiKey && { Authorization: `Bearer ${options.apiKey}` }) },
      body: JSON.stringify(body),
      signal: options.signal,
    });
  } catch (err) {
    throw error(aborted(err) ? "timeout" : "unreachable", (err as Error).name);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw error(res.status === 429 ? "rate_limited" : "status", String(res.status));
  }
  try {
    return (await res.json()) as T;
  } catch (err) {
    throw error(aborted(err) ? "timeout" : "malformed", "body");
  }
}
