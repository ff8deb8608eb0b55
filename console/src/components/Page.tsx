import { useId, type ReactNode } from "react";
import { Link } from "react-router";

import { useDocumentTitle } from "../hooks";

interface PageProps {
  title: string;
  /** Where this page sits, e.g. a link back to the list. */
  parent?: { to: string; label: string };
  actions?: ReactNode;
  children: ReactNode;
}

/** A page's title (in the tab and as its one h1), its actions, and its content. */
export function Page({ title, parent, actions, children }: PageProps) {
  useDocumentTitle(title);
  return (
    <>
      <div className="page-head">
        <div>
          {parent && (
            <div className="breadcrumb">
              <Link to={parent.to}>← {parent.label}</Link>
            </div>
          )}
          <h1>{title}</h1>
        </div>
        {actions && <div className="actions">{actions}</div>}
      </div>
      <div className="stack">{children}</div>
    </>
  );
}

/** A titled section of a page; its h2 names the region. */
export function Card({ title, children, actions }: { title?: string; children: ReactNode; actions?: ReactNode }) {
  const headingId = useId();
  return (
    <section className="card" aria-labelledby={title ? headingId : undefined}>
      {(title || actions) && (
        <div className="page-head" style={{ marginBottom: "0.5rem" }}>
          {title && (
            <h2 id={headingId} style={{ margin: 0 }}>
              {title}
            </h2>
          )}
          {actions && <div className="actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}
