/** AWS sign-in: Cognito managed login with the authorization code grant and PKCE, then the
 * identity pool trades the id token for temporary credentials of the user's group's IAM role.
 * Plain HTTPS calls, no SDK: the console's first load stays small. */

import type { AwsConfig } from "../config";
import { codeChallenge, jwtClaims, randomToken } from "./pkce";
import type { Role, Session } from "./session";

const PENDING_KEY = "marketing-console.pkce";
const SCOPES = "openid email profile";

interface TokenResponse {
  id_token: string;
  access_token: string;
  refresh_token?: string;
}

interface IdentityCredentials {
  AccessKeyId: string;
  SecretKey: string;
  SessionToken: string;
  /** Seconds since the epoch */
  Expiration: number;
}

export async function beginSignIn(config: AwsConfig): Promise<void> {
  const verifier = randomToken(48);
  const state = randomToken(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.userPoolClientId,
    redirect_uri: config.redirectUri,
    scope: SCOPES,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  window.location.assign(`${config.cognitoDomain}/oauth2/authorize?${query.toString()}`);
}

/** The redirect back from managed login carries `code` and `state`; null if this URL does not. */
export function pendingCallback(url: URL): { code: string; state: string } | null {
  const code = url.searchParams.get("code");
  const state = url.searchParams.get("state");
  return code && state ? { code, state } : null;
}

export async function completeSignIn(config: AwsConfig, callback: { code: string; state: string }): Promise<Session> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null") as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING_KEY);
  if (!pending || pending.state !== callback.state) {
    throw new Error("The sign-in could not be matched to this tab. Please sign in again.");
  }
  const tokens = await tokenRequest(config, {
    grant_type: "authorization_code",
    code: callback.code,
    redirect_uri: config.redirectUri,
    code_verifier: pending.verifier,
  });
  if (!tokens.refresh_token) throw new Error("Cognito returned no refresh token.");
  return sessionFromTokens(config, tokens.id_token, tokens.refresh_token);
}

export async function renewAws(config: AwsConfig, session: Session): Promise<Session> {
  const tokens = await tokenRequest(config, { grant_type: "refresh_token", refresh_token: session.refreshToken });
  return sessionFromTokens(config, tokens.id_token, tokens.refresh_token ?? session.refreshToken);
}

/** Sign-out, before the managed login's logout (which only ends its own cookie): Cognito's
 * revocation endpoint ends the refresh token and the tokens it gave, so a copy of it renews
 * nothing. The identity pool's temporary credentials cannot be revoked; they expire within the
 * hour. `keepalive` lets the request finish while the browser goes on to the logout page. */
export async function revokeAws(config: AwsConfig, session: Session, fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await fetchImpl(`${config.cognitoDomain}/oauth2/revoke`, {
    method: "POST",
    keepalive: true,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: session.refreshToken, client_id: config.userPoolClientId }).toString(),
  });
  if (!response.ok) throw new Error(`Cognito could not revoke the session (${response.status}).`);
}

export function signOutUrl(config: AwsConfig): string {
  const query = new URLSearchParams({ client_id: config.userPoolClientId, logout_uri: config.redirectUri });
  return `${config.cognitoDomain}/logout?${query.toString()}`;
}

export function roleFromClaims(claims: Record<string, unknown>): Role {
  const groups = claims["cognito:groups"];
  return Array.isArray(groups) && groups.includes("manager") ? "manager" : "analyst";
}

async function tokenRequest(config: AwsConfig, form: Record<string, string>): Promise<TokenResponse> {
  const response = await fetch(`${config.cognitoDomain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: config.userPoolClientId, ...form }).toString(),
  });
  if (!response.ok) throw new Error(`Cognito refused the sign-in (${response.status}).`);
  return (await response.json()) as TokenResponse;
}

async function identityCall<T>(config: AwsConfig, target: string, body: unknown): Promise<T> {
  const response = await fetch(`https://cognito-identity.${config.region}.amazonaws.com/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityService.${target}`,
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`The identity pool refused the sign-in (${response.status}).`);
  return (await response.json()) as T;
}

async function sessionFromTokens(config: AwsConfig, idToken: string, refreshToken: string): Promise<Session> {
  const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: idToken };
  const { IdentityId } = await identityCall<{ IdentityId: string }>(config, "GetId", {
    IdentityPoolId: config.identityPoolId,
    Logins: logins,
  });
  const { Credentials } = await identityCall<{ Credentials: IdentityCredentials }>(
    config,
    "GetCredentialsForIdentity",
    { IdentityId, Logins: logins },
  );
  const claims = jwtClaims(idToken);
  const username = String(claims.email ?? claims["cognito:username"] ?? "staff");
  return {
    credentials: {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
      expiration: new Date(Credentials.Expiration * 1000).toISOString(),
    },
    refreshToken,
    user: { username, role: roleFromClaims(claims) },
  };
}
