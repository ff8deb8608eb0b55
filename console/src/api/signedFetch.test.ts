import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { SessionStore, type Session } from "../auth/session";
import { createSignedFetch, NotSignedIn, saysTokenExpired } from "./signedFetch";

const START = Date.parse("2030-01-01T12:00:00Z");
const HOUR = 60 * 60 * 1000;

function session(key: string, expiresInMs = HOUR): Session {
  return {
    credentials: {
      accessKeyId: key,
      secretAccessKey: `${key}-secret`,
      sessionToken: `${key}-token`,
      expiration: new Date(Date.now() + expiresInMs).toISOString(),
    },
    refreshToken: `${key}-refresh`,
    user: { username: "manager@shop.local", role: "manager" },
  };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
    items,
  };
}

describe("signed API calls", () => {
  let sent: Request[];
  let answers: Response[];
  const fetchImpl = async (request: Request) => {
    sent.push(request);
    return answers.shift() ?? new Response("{}", { status: 200 });
  };

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
    sent = [];
    answers = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("signs with SigV4 for execute-api and sends the session token", async () => {
    const store = new SessionStore({ renew: vi.fn() });
    store.set(session("AKIDFIRST"));
    const signedFetch = createSignedFetch({ region: "eu-west-2", credentials: store, fetchImpl });

    await signedFetch(
      new Request("http://127.0.0.1:8080/api/v1/marketing/templates/", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Welcome" }),
      }),
    );

    const request = sent[0]!;
    const authorization = request.headers.get("Authorization") ?? "";
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFIRST\/20300101\/eu-west-2\/execute-api\/aws4_request, /);
    expect(authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    expect(authorization).toMatch(/Signature=[0-9a-f]{64}$/);
    expect(request.headers.get("X-Amz-Security-Token")).toBe("AKIDFIRST-token");
    expect(request.headers.get("X-Amz-Date")).toBe("20300101T120000Z");
    expect(await request.text()).toBe('{"name":"Welcome"}');
  });

  it("renews the credentials five minutes before they expire", async () => {
    const renew = vi.fn(async (_expiring: Session) => session("AKIDSECOND"));
    const store = new SessionStore({ renew });
    store.set(session("AKIDFIRST", HOUR));
    const signedFetch = createSignedFetch({ region: "eu-west-2", credentials: store, fetchImpl });

    await vi.advanceTimersByTimeAsync(54 * 60 * 1000);
    expect(renew).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60 * 1000);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(renew.mock.calls[0]![0].refreshToken).toBe("AKIDFIRST-refresh");

    await signedFetch(new Request("http://127.0.0.1:8080/api/v1/marketing/campaigns/"));
    expect(sent[0]!.headers.get("Authorization")).toContain("Credential=AKIDSECOND/");
    expect(sent[0]!.headers.get("X-Amz-Security-Token")).toBe("AKIDSECOND-token");

    // and the renewed credentials are renewed in their turn
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(renew).toHaveBeenCalledTimes(2);
  });

  it("renews at once credentials restored already inside the renewal window", async () => {
    const storage = memoryStorage();
    const earlierPageLoad = new SessionStore({ renew: vi.fn(), storage });
    earlierPageLoad.set(session("AKIDOLD", 2 * 60 * 1000));
    earlierPageLoad.dispose();
    const renew = vi.fn(async () => session("AKIDNEW"));
    const store = new SessionStore({ renew, storage });
    expect(store.restore()?.credentials.accessKeyId).toBe("AKIDOLD");
    await vi.advanceTimersByTimeAsync(0);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(JSON.parse(storage.items.get("marketing-console.session")!).credentials.accessKeyId).toBe("AKIDNEW");
  });

  it("renews once and retries when the gateway says the token expired", async () => {
    const renew = vi.fn(async (_expiring: Session) => session("AKIDSECOND"));
    const store = new SessionStore({ renew });
    store.set(session("AKIDFIRST"));
    const signedFetch = createSignedFetch({ region: "eu-west-2", credentials: store, fetchImpl });
    answers = [
      new Response(JSON.stringify({ message: "The security token included in the request is expired" }), { status: 403 }),
      new Response('{"items":[]}', { status: 200 }),
    ];

    const response = await signedFetch(
      new Request("http://127.0.0.1:8080/api/v1/marketing/segments/", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }),
    );

    expect(response.status).toBe(200);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(sent.map((request) => request.headers.get("X-Amz-Security-Token"))).toEqual(["AKIDFIRST-token", "AKIDSECOND-token"]);
    expect(await sent[1]!.text()).toBe("{}");
  });

  it("does not retry other refusals", async () => {
    const renew = vi.fn(async (_expiring: Session) => session("AKIDSECOND"));
    const store = new SessionStore({ renew });
    store.set(session("AKIDFIRST"));
    const signedFetch = createSignedFetch({ region: "eu-west-2", credentials: store, fetchImpl });
    answers = [new Response(JSON.stringify({ error: { code: "forbidden", message: "analyst", details: [] } }), { status: 403 })];

    const response = await signedFetch(new Request("http://127.0.0.1:8080/api/v1/marketing/campaigns/c1/send/", { method: "POST" }));

    expect(response.status).toBe(403);
    expect(renew).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
  });

  it("ends the session when renewal is refused", async () => {
    const onExpired = vi.fn();
    const store = new SessionStore({ renew: vi.fn(async () => Promise.reject(new Error("401"))), onExpired });
    store.set(session("AKIDFIRST", 10 * 60 * 1000));
    await vi.advanceTimersByTimeAsync(5 * 60 * 1000);
    expect(store.current()).toBeNull();
    expect(onExpired).toHaveBeenCalledTimes(1);
    const signedFetch = createSignedFetch({ region: "eu-west-2", credentials: store, fetchImpl });
    await expect(signedFetch(new Request("http://127.0.0.1:8080/api/v1/marketing/"))).rejects.toBeInstanceOf(NotSignedIn);
  });

  it("shares one renewal between concurrent callers", async () => {
    const renew = vi.fn(async (_expiring: Session) => session("AKIDSECOND"));
    const store = new SessionStore({ renew });
    store.set(session("AKIDFIRST"));
    await Promise.all([store.renewNow(), store.renewNow(), store.renewNow()]);
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it("does not sign back in when a renewal finishes after sign-out", async () => {
    let finish: (renewed: Session) => void = () => undefined;
    const renew = vi.fn(() => new Promise<Session>((resolve) => (finish = resolve)));
    const onExpired = vi.fn();
    const store = new SessionStore({ renew, onExpired });
    store.set(session("AKIDFIRST"));
    const renewing = store.renewNow();
    store.set(null); // signed out while the renewal is in flight
    finish(session("AKIDSECOND"));
    await expect(renewing).rejects.toThrow("signed out");
    expect(store.current()).toBeNull();
    expect(onExpired).not.toHaveBeenCalled();
  });
});

describe("saysTokenExpired", () => {
  it("recognises only the expired-token refusal", async () => {
    expect(await saysTokenExpired(new Response('{"message":"The security token included in the request is expired"}', { status: 403 }))).toBe(true);
    expect(await saysTokenExpired(new Response('{"message":"Signature expired: 20300101T000000Z is now earlier than …"}', { status: 403 }))).toBe(false);
    expect(await saysTokenExpired(new Response('{"message":"token expired"}', { status: 401 }))).toBe(false);
  });
});
