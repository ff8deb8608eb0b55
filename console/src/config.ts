/** The runtime configuration the server writes to /console/config.json: the same build runs in
 * local mode and in AWS, so nothing environment-specific is baked into the bundle. */

export interface LocalConfig {
  mode: "local";
  region: string;
  apiUrl: string;
  signInUrl: string;
  refreshUrl: string;
  /** Where sign-out revokes the refresh token (Cognito's revocation endpoint, locally). */
  revokeUrl: string;
  outboxUrl?: string;
}

export interface AwsConfig {
  mode: "aws";
  region: string;
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  cognitoDomain: string;
  redirectUri: string;
  outboxUrl?: string;
}

export type ConsoleConfig = LocalConfig | AwsConfig;

const CONFIG_URL = `${import.meta.env.BASE_URL}config.json`;

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig> {
  const response = await fetchImpl(CONFIG_URL, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`The console's configuration could not be loaded (${response.status}).`);
  }
  const config = (await response.json()) as ConsoleConfig;
  if (config.mode !== "local" && config.mode !== "aws") {
    throw new Error("The console's configuration names no known mode.");
  }
  // A relative apiUrl ("/api/v1/marketing") is the API on the console's own origin.
  const apiUrl = new URL(config.apiUrl, globalThis.location?.href).toString().replace(/\/+$/, "");
  return { ...config, apiUrl };
}
