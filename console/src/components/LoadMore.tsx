export function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick(): void }) {
  if (!hasMore) return null;
  return (
    <button type="button" className="secondary" onClick={onClick} disabled={loading}>
      {loading ? "Loading…" : "Load more"}
    </button>
  );
}
