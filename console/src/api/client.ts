/** The typed API client: paths, parameters, bodies and responses all come from the API's OpenAPI
 * document (schema.d.ts, generated at build time), so an API change breaks the build. */

import createClient from "openapi-fetch";

import type { ConsoleConfig } from "../config";
import { ApiError } from "./errors";
import type { paths } from "./schema";
import { createSignedFetch, type CredentialSource } from "./signedFetch";

export type Api = ReturnType<typeof createClient<paths>>;

export function createApi(config: ConsoleConfig, credentials: CredentialSource): Api {
  return createClient<paths>({
    baseUrl: config.apiUrl,
    fetch: createSignedFetch({ region: config.region, credentials }),
    headers: { Accept: "application/json" },
  });
}

interface Result<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** The response's data, or an ApiError carrying the API's error body. */
export async function unwrap<D>(pending: Promise<Result<D>>): Promise<D> {
  const { data, error, response } = await pending;
  if (!response.ok) throw ApiError.from(response.status, error);
  return data as D;
}
