import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import type { LoyaltyAccount } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, FormErrorAlert, Notice } from "../components/Alerts";
import { TextField } from "../components/Field";
import { Card } from "../components/Page";
import { formatCount, formatDateTime } from "../format";
import { useAction } from "../hooks";

const ADJUST_FIELDS = ["points", "reason"] as const;

function AdjustForm({ account, onAdjusted }: { account: LoyaltyAccount; onAdjusted(account: LoyaltyAccount): void }) {
  const api = useApi();
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string | null>(null);
  // One key per intended adjustment: a double click or a retry after a timeout adjusts once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const adjust = useAction(async () => {
    const result = await unwrap(
      api.POST("/loyalty/accounts/{user_id}/adjust/", {
        params: { path: { user_id: account.user_id } },
        body: { points: Number(points), reason, idempotency_key: idempotencyKey },
      }),
    );
    onAdjusted(result.account);
    setDone(`${result.transaction.points > 0 ? "Added" : "Took off"} ${formatCount(Math.abs(result.transaction.points))} points.`);
    setPoints("");
    setReason("");
    setIdempotencyKey(crypto.randomUUID());
  });
  const errors = splitFieldErrors(adjust.error, ADJUST_FIELDS).byField;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    void adjust.run();
  };
  return (
    <form onSubmit={submit} aria-label="Adjust points" noValidate>
      <FormErrorAlert error={adjust.error} fields={ADJUST_FIELDS} />
      {done && <Notice kind="success">{done}</Notice>}
      <div className="form-row">
        <TextField label="Points" type="number" step={1} value={points} onChange={(e) => setPoints(e.target.value)} error={errors.points} hint="Negative to take points off" />
        <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} hint="Kept in the customer's points history" />
        <div className="field-action">
          <button type="submit" disabled={adjust.pending}>
            Adjust points
          </button>
        </div>
      </div>
    </form>
  );
}

export function Points() {
  const api = useApi();
  const canWrite = useCanWrite();
  const [params] = useSearchParams();
  const [userId, setUserId] = useState(params.get("user") ?? "");
  const [account, setAccount] = useState<LoyaltyAccount | null>(null);
  const lookUp = useAction(async () => {
    setAccount(null);
    setAccount(await unwrap(api.GET("/loyalty/accounts/{user_id}/", { params: { path: { user_id: userId.trim() } } })));
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void lookUp.run();
  };
  return (
    <Card title="A customer's points">
      <form onSubmit={submit} className="form-row" role="search" aria-label="Points account">
        <TextField label="Customer user id" value={userId} onChange={(e) => setUserId(e.target.value)} hint="The shop's user id (on the contact's page)" />
        <div className="field-action">
          <button type="submit" disabled={!userId.trim() || lookUp.pending}>
            Look up
          </button>
        </div>
      </form>
      <ErrorAlert error={lookUp.error} />
      {account && (
        <>
          <dl className="stats">
            <div className="stat">
              <dt>Balance</dt>
              <dd>{formatCount(account.balance)}</dd>
            </div>
            <div className="stat">
              <dt>Earned in all</dt>
              <dd>{formatCount(account.lifetime_points)}</dd>
            </div>
            <div className="stat">
              <dt>Last activity</dt>
              <dd style={{ fontSize: "1rem" }}>{formatDateTime(account.last_activity_at)}</dd>
            </div>
          </dl>
          {canWrite && (
            <div style={{ marginTop: "1rem" }}>
              <AdjustForm account={account} onAdjusted={setAccount} />
            </div>
          )}
        </>
      )}
    </Card>
  );
}
