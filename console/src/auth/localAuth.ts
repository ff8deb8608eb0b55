/** Local mode's sign-in: the local server checks the user and password for real and hands out
 * temporary credentials its gateway verifies with SigV4, as API Gateway would in AWS. */

import type { LocalConfig } from "../config";
import type { Credentials, Role, Session } from "./session";

interface LocalSignInResponse {
  credentials: Credentials;
  refreshToken: string;
  user: { username: string; role: Role };
}

export class SignInRefused extends Error {}

async function post(url: string, body: unknown, fetchImpl: typeof fetch): Promise<Session> {
  const response = await fetchImpl(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status === 401 || response.status === 403) {
    const refusal = (await response.json().catch(() => ({}))) as { message?: string };
    throw new SignInRefused(refusal.message || "Wrong email or password.");
  }
  if (!response.ok) throw new Error(`Sign-in failed (${response.status}).`);
  const signedIn = (await response.json()) as LocalSignInResponse;
  return { credentials: signedIn.credentials, refreshToken: signedIn.refreshToken, user: signedIn.user };
}

export function signInLocal(
  config: LocalConfig,
  username: string,
  password: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Session> {
  return post(config.signInUrl, { username, password }, fetchImpl);
}

export function renewLocal(config: LocalConfig, session: Session, fetchImpl: typeof fetch = fetch): Promise<Session> {
  return post(config.refreshUrl, { refreshToken: session.refreshToken }, fetchImpl);
}

/** Sign-out: the refresh token renews nothing more. `keepalive` lets the request finish if the
 * page is left at once. */
export async function revokeLocal(config: LocalConfig, session: Session, fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await fetchImpl(config.revokeUrl, {
    method: "POST",
    keepalive: true,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  if (!response.ok) throw new Error(`The sign-out could not revoke the session (${response.status}).`);
}
