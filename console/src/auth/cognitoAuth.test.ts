import { describe, expect, it, vi } from "vitest";

import type { AwsConfig } from "../config";
import { revokeAws, signOutUrl } from "./cognitoAuth";
import type { Session } from "./session";

const CONFIG: AwsConfig = {
  mode: "aws",
  region: "eu-west-2",
  apiUrl: "https://api.example/api/v1/marketing",
  userPoolId: "eu-west-2_pool",
  userPoolClientId: "client-123",
  identityPoolId: "eu-west-2:identity",
  cognitoDomain: "https://login.shop.example",
  redirectUri: "https://console.shop.example/console/",
};
const SESSION: Session = {
  credentials: { accessKeyId: "ASIA1", secretAccessKey: "secret", sessionToken: "token", expiration: "2030-01-01T00:00:00Z" },
  refreshToken: "refresh-token+/=",
  user: { username: "manager@shop.example", role: "manager" },
};

describe("signing out of AWS", () => {
  it("revokes the refresh token at Cognito's revocation endpoint, surviving the page being left", async () => {
    const fetchImpl = vi.fn(async () => new Response(null, { status: 200 }));
    await revokeAws(CONFIG, SESSION, fetchImpl);
    expect(fetchImpl).toHaveBeenCalledOnce();
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("https://login.shop.example/oauth2/revoke");
    expect(init.method).toBe("POST");
    expect(init.keepalive).toBe(true);
    expect(init.headers).toEqual({ "Content-Type": "application/x-www-form-urlencoded" });
    const form = new URLSearchParams(init.body as string);
    expect(form.get("token")).toBe("refresh-token+/=");
    expect(form.get("client_id")).toBe("client-123");
  });

  it("says so when Cognito refuses the revocation", async () => {
    const fetchImpl = vi.fn(async () => new Response('{"error":"unsupported_token_type"}', { status: 400 }));
    await expect(revokeAws(CONFIG, SESSION, fetchImpl)).rejects.toThrow("could not revoke the session (400)");
  });

  it("then ends the managed login's own session at its logout page", () => {
    const url = new URL(signOutUrl(CONFIG));
    expect(`${url.origin}${url.pathname}`).toBe("https://login.shop.example/logout");
    expect(url.searchParams.get("client_id")).toBe("client-123");
    expect(url.searchParams.get("logout_uri")).toBe("https://console.shop.example/console/");
  });
});
