/** Local mode's outbox: every email the emulated SES accepted (GET /local/outbox, same origin as
 * the console, no signing: it exists only on a developer's machine). */

export interface OutboxItem {
  id: string;
  source: string;
  /** A raw send lists addresses; a formatted send groups them by field */
  destinations: string[] | Record<string, string[]>;
  subject: string | null;
  raw: string | null;
  date?: string | null;
  from?: string | null;
  html?: string | null;
  text?: string | null;
  headers?: [string, string][];
}

export async function fetchOutbox(url: string, fetchImpl: typeof fetch = fetch): Promise<OutboxItem[]> {
  const response = await fetchImpl(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`The outbox could not be read (${response.status}).`);
  const body = (await response.json()) as { items: OutboxItem[] };
  return [...body.items].reverse(); // the server lists the oldest first
}

export function recipientsOf(item: OutboxItem): string {
  const list = Array.isArray(item.destinations) ? item.destinations : Object.values(item.destinations).flat();
  return list.join(", ");
}
