import { useEffect, useRef, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";

import { useAuth } from "../auth/AuthProvider";

const NAV = [
  { to: "/", label: "Overview", end: true },
  { to: "/templates", label: "Templates" },
  { to: "/segments", label: "Segments" },
  { to: "/contacts", label: "Contacts" },
  { to: "/campaigns", label: "Campaigns" },
  { to: "/automations", label: "Automations" },
  { to: "/growth", label: "Growth" },
];

/** The frame of every signed-in page: who is signed in, the navigation, the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut, config } = useAuth();
  const items = config.outboxUrl ? [...NAV, { to: "/outbox", label: "Outbox" }] : NAV;
  // After moving to another page, focus goes to its content, so keyboard and screen-reader users
  // start there (as after a full page load) instead of on the link they left.
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand">
          Marketing console{config.mode === "local" ? " (local)" : ""}
        </NavLink>
        {session && (
          <div className="who">
            <span>{session.user.username}</span>
            <span className="role-badge" aria-label={`Role: ${session.user.role}`}>
              {session.user.role}
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <nav className="app-nav" aria-label="Main">
        <ul>
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={"end" in item ? item.end : false}>
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="app-main" id="main" tabIndex={-1} ref={main}>
        {children}
      </main>
    </div>
  );
}
