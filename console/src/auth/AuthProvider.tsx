/** The signed-in session for the whole app: who is signed in, the API client that signs as
 * them, and sign-out. Renewal runs in SessionStore, outside React. */

import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { createApi, type Api } from "../api/client";
import type { ConsoleConfig } from "../config";
import { renewAws, revokeAws, signOutUrl } from "./cognitoAuth";
import { renewLocal, revokeLocal } from "./localAuth";
import { SessionStore, type Role, type Session } from "./session";

interface AuthState {
  config: ConsoleConfig;
  store: SessionStore;
  session: Session | null;
  api: Api;
  /** Why the last session ended without a sign-out, shown on the sign-in page. */
  endedReason: string | null;
  signIn(session: Session): void;
  signOut(): void;
}

const AuthContext = createContext<AuthState | null>(null);

function renewerFor(config: ConsoleConfig) {
  return (session: Session) => (config.mode === "local" ? renewLocal(config, session) : renewAws(config, session));
}

function revoke(config: ConsoleConfig, session: Session): Promise<void> {
  return config.mode === "local" ? revokeLocal(config, session) : revokeAws(config, session);
}

export function AuthProvider({ config, notice, children }: { config: ConsoleConfig; notice?: string | null; children: ReactNode }) {
  const [endedReason, setEndedReason] = useState<string | null>(notice ?? null);
  const store = useMemo(
    () =>
      new SessionStore({
        renew: renewerFor(config),
        storage: window.sessionStorage,
        onExpired: () => setEndedReason("Your session expired. Please sign in again."),
      }),
    [config],
  );
  const [session, setSession] = useState<Session | null>(() => store.restore());
  useEffect(() => store.subscribe(setSession), [store]);
  const api = useMemo(() => createApi(config, store), [config, store]);

  const state = useMemo<AuthState>(
    () => ({
      config,
      store,
      session,
      api,
      endedReason,
      signIn(next) {
        setEndedReason(null);
        store.set(next);
      },
      signOut() {
        // The session is forgotten here whatever the revocation's outcome: a sign-out never fails.
        if (session) revoke(config, session).catch((error: unknown) => console.warn(error));
        store.set(null);
        setEndedReason(null);
        if (config.mode === "aws") window.location.assign(signOutUrl(config));
      },
    }),
    [config, store, session, api, endedReason],
  );
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}

export function useApi(): Api {
  return useAuth().api;
}

export function useRole(): Role | undefined {
  return useAuth().session?.user.role;
}

/** Write actions are offered to managers only; the API refuses the analyst's anyway. */
export function useCanWrite(): boolean {
  return useRole() === "manager";
}
