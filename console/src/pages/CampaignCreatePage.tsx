import { useNavigate } from "react-router";

import { unwrap } from "../api/client";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { Notice } from "../components/Alerts";
import { Page } from "../components/Page";
import { bodyOf, CampaignForm, draftOf } from "../campaigns/CampaignForm";

export function CampaignCreatePage() {
  const api = useApi();
  const navigate = useNavigate();
  const canWrite = useCanWrite();
  return (
    <Page title="New campaign" parent={{ to: "/campaigns", label: "Campaigns" }}>
      {!canWrite && <Notice kind="warning">Creating campaigns needs the manager role: the API will refuse it.</Notice>}
      <Notice>The campaign is saved as a draft. Its page then shows the estimated cost, and lets you send it now or schedule it.</Notice>
      <CampaignForm
        initial={draftOf(undefined)}
        submitLabel="Create campaign"
        onSubmit={async (draft) => {
          const campaign = await unwrap(api.POST("/campaigns/", { body: bodyOf(draft) }));
          navigate(`/campaigns/${campaign.id}`);
        }}
      />
    </Page>
  );
}
