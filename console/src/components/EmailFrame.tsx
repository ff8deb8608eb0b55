/** An email's HTML in a sandboxed frame: the HTML is a marketer's (or a sender's) and must never
 * run script in the console's origin. `sandbox=""` allows nothing (no script, an opaque origin);
 * `openLinks` lets a click open a new tab, outside the sandbox, as the recipient's mail client
 * would (that is how the outbox follows a tracked link). */
export function EmailFrame({ html, title, openLinks = false }: { html: string; title: string; openLinks?: boolean }) {
  const document = openLinks ? `<base target="_blank">${html}` : html;
  return (
    <iframe
      className="email-frame"
      title={title}
      sandbox={openLinks ? "allow-popups allow-popups-to-escape-sandbox" : ""}
      srcDoc={document}
      referrerPolicy="no-referrer"
    />
  );
}
