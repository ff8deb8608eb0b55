import { useState, type FormEvent } from "react";

import { useAuth } from "../auth/AuthProvider";
import { beginSignIn } from "../auth/cognitoAuth";
import { signInLocal, SignInRefused } from "../auth/localAuth";
import { TextField } from "../components/Field";
import type { LocalConfig } from "../config";
import { useDocumentTitle } from "../hooks";

const LOCAL_USERS = [
  { username: "manager@shop.local", password: "local-manager-password", role: "manager: every action" },
  { username: "analyst@shop.local", password: "local-analyst-password", role: "analyst: read-only" },
];

function LocalSignIn({ config }: { config: LocalConfig }) {
  const { signIn } = useAuth();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      signIn(await signInLocal(config, username.trim(), password));
    } catch (reason) {
      setError(reason instanceof SignInRefused ? reason.message : "The sign-in service could not be reached. Is local mode running?");
      setPending(false);
    }
  };

  return (
    <>
      <form onSubmit={submit} noValidate>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        <TextField label="Email" type="email" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <button type="submit" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <section aria-labelledby="local-users" style={{ marginTop: "1.25rem" }}>
        <h2 id="local-users" className="small" style={{ fontSize: "0.95rem" }}>
          Local users (also printed in the banner)
        </h2>
        <ul className="small" style={{ paddingLeft: "1.1rem", margin: 0 }}>
          {LOCAL_USERS.map((user) => (
            <li key={user.username}>
              <code>{user.username}</code> / <code>{user.password}</code> <span className="muted">({user.role})</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

export function SignInPage() {
  const { config, endedReason } = useAuth();
  const [redirecting, setRedirecting] = useState(false);
  useDocumentTitle("Sign in");
  return (
    <main className="sign-in" id="main">
      <div className="card">
        <h1>Marketing console</h1>
        {endedReason && (
          <div className="alert warning" role="alert">
            {endedReason}
          </div>
        )}
        {config.mode === "local" ? (
          <LocalSignIn config={config} />
        ) : (
          <>
            <p>Sign in with your staff account. You will come back here afterwards.</p>
            <button
              type="button"
              disabled={redirecting}
              onClick={() => {
                setRedirecting(true);
                void beginSignIn(config);
              }}
            >
              Sign in
            </button>
          </>
        )}
      </div>
    </main>
  );
}
