import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { AuthProvider } from "./auth/AuthProvider";
import { completeSignIn, pendingCallback } from "./auth/cognitoAuth";
import { SessionStore } from "./auth/session";
import { loadConfig, type ConsoleConfig } from "./config";
import "./styles.css";

/** Back from Cognito's managed login: trade the code for a session before the app renders, and
 * take the code out of the address bar. */
async function finishAwsSignIn(config: ConsoleConfig): Promise<string | null> {
  if (config.mode !== "aws") return null;
  const callback = pendingCallback(new URL(window.location.href));
  if (!callback) return null;
  window.history.replaceState(null, "", window.location.pathname);
  try {
    const session = await completeSignIn(config, callback);
    const store = new SessionStore({ renew: () => Promise.reject(new Error("unused")), storage: window.sessionStorage });
    store.set(session); // saved for the AuthProvider, which restores it
    store.dispose();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : "The sign-in failed. Please try again.";
  }
}

function showFatal(message: string) {
  const root = document.getElementById("root");
  if (!root) return;
  root.innerHTML = "";
  const main = document.createElement("main");
  main.className = "sign-in";
  const heading = document.createElement("h1");
  heading.textContent = "The console could not start";
  const text = document.createElement("p");
  text.setAttribute("role", "alert");
  text.textContent = message;
  main.append(heading, text);
  root.append(main);
}

async function start() {
  const config = await loadConfig();
  const notice = await finishAwsSignIn(config);
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <AuthProvider config={config} notice={notice}>
        <App />
      </AuthProvider>
    </StrictMode>,
  );
}

start().catch((error: unknown) => showFatal(error instanceof Error ? error.message : String(error)));
