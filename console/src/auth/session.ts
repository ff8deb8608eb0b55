/** The signed-in staff member: temporary AWS credentials, the token that renews them, and who
 * they are. Kept in memory and in sessionStorage (so a reload keeps the sign-in, a closed tab
 * does not), never in localStorage. */

export type Role = "manager" | "analyst";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601 */
  expiration: string;
}

export interface StaffUser {
  username: string;
  role: Role;
}

export interface Session {
  credentials: Credentials;
  refreshToken: string;
  user: StaffUser;
}

/** Renews the credentials of `session` (a new session), or throws if it can no longer be renewed. */
export type Renew = (session: Session) => Promise<Session>;

/** Renew this long before the credentials expire, so no request is signed with stale ones. */
export const RENEW_LEAD_MS = 5 * 60 * 1000;
const STORAGE_KEY = "marketing-console.session";
// setTimeout fires at once past 2^31-1 ms; a longer wait is rescheduled by the next renewal.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionStoreOptions {
  renew: Renew;
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
  now?: () => number;
  leadMs?: number;
  /** Told when a renewal failed and the session ended (the user must sign in again). */
  onExpired?: (reason: unknown) => void;
}

type Listener = (session: Session | null) => void;

export class SessionStore {
  private session: Session | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<Session> | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly renewFn: Renew;
  private readonly storage: SessionStoreOptions["storage"];
  private readonly now: () => number;
  private readonly leadMs: number;
  private readonly onExpired: ((reason: unknown) => void) | undefined;

  constructor(options: SessionStoreOptions) {
    this.renewFn = options.renew;
    this.storage = options.storage ?? null;
    this.now = options.now ?? Date.now;
    this.leadMs = options.leadMs ?? RENEW_LEAD_MS;
    this.onExpired = options.onExpired;
  }

  /** The session saved by an earlier page load of this tab, if any (renewed at once if due). */
  restore(): Session | null {
    const saved = this.storage?.getItem(STORAGE_KEY);
    if (!saved) return null;
    try {
      this.set(JSON.parse(saved) as Session);
    } catch {
      this.storage?.removeItem(STORAGE_KEY);
    }
    return this.session;
  }

  current(): Session | null {
    return this.session;
  }

  set(session: Session | null): void {
    this.session = session;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (session) {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(session));
      this.schedule(session);
    } else {
      this.storage?.removeItem(STORAGE_KEY);
    }
    for (const listener of this.listeners) listener(session);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Renew now; concurrent callers share one renewal. Ends the session if renewal fails. */
  renewNow(): Promise<Session> {
    const session = this.session;
    if (!session) return Promise.reject(new Error("not signed in"));
    if (!this.renewing) {
      this.renewing = this.renewFn(session)
        .then((renewed) => {
          // Signed out (or in as someone else) while it ran: the renewal must not sign back in.
          if (this.session !== session) throw new Error("signed out");
          this.set(renewed);
          return renewed;
        })
        .catch((reason: unknown) => {
          if (this.session === session) {
            this.set(null);
            this.onExpired?.(reason);
          }
          throw reason;
        })
        .finally(() => {
          this.renewing = null;
        });
    }
    return this.renewing;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private schedule(session: Session): void {
    const expiresAt = Date.parse(session.credentials.expiration);
    const due = Number.isNaN(expiresAt) ? 0 : Math.max(0, expiresAt - this.leadMs - this.now());
    const delay = Math.min(due, MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.renewNow().catch(() => undefined); // onExpired has been told
    }, delay);
  }
}
