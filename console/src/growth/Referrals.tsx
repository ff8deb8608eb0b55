import { useState } from "react";

import { unwrap } from "../api/client";
import type { Referral } from "../api/types";
import { useApi } from "../auth/AuthProvider";
import { ErrorAlert, Loading } from "../components/Alerts";
import { DataTable } from "../components/DataTable";
import { SelectField } from "../components/Field";
import { LoadMore } from "../components/LoadMore";
import { Card } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime, humanize } from "../format";
import { usePaged } from "../hooks";

function reward(issued: Referral["referrer_reward"]): string {
  if (!issued) return "—";
  return `${humanize(issued.type)} ${issued.value}${issued.discount_code ? ` (${issued.discount_code})` : ""}`;
}

export function Referrals() {
  const api = useApi();
  const [status, setStatus] = useState<"" | Referral["status"]>("");
  const referrals = usePaged((next) => unwrap(api.GET("/referrals/", { params: { query: { status: status || undefined, limit: 50, next } } })), [api, status]);
  return (
    <Card title="Referrals">
      <div style={{ maxWidth: "16rem" }}>
        <SelectField
          label="Referral status"
          value={status}
          onChange={(e) => setStatus(e.target.value as "" | Referral["status"])}
          options={[
            { value: "", label: "All" },
            { value: "pending", label: "Pending" },
            { value: "completed", label: "Completed" },
            { value: "expired", label: "Expired" },
          ]}
        />
      </div>
      <ErrorAlert error={referrals.error} />
      {referrals.loading ? (
        <Loading what="Loading referrals" />
      ) : referrals.items.length === 0 ? (
        <p className="muted">No referrals.</p>
      ) : (
        <DataTable columns={["Code", "Referrer", "Friend", "Status", "Made", "Referrer's reward", "Friend's reward"]}>
          {referrals.items.map((referral) => (
            <tr key={referral.id}>
              <td className="mono">{referral.code}</td>
              <td className="mono small">{referral.referrer_user_id}</td>
              <td className="small">{referral.referee_email ?? referral.referee_user_id}</td>
              <td>
                <StatusBadge status={referral.status} />
              </td>
              <td>{formatDateTime(referral.created_at)}</td>
              <td className="small">{reward(referral.referrer_reward)}</td>
              <td className="small">{reward(referral.referee_reward)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <LoadMore hasMore={referrals.hasMore} loading={referrals.loadingMore} onClick={referrals.loadMore} />
    </Card>
  );
}
