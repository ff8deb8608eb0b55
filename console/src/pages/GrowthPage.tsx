import { useSearchParams } from "react-router";

import { Page } from "../components/Page";
import { Tabs } from "../components/Tabs";
import { GiftCards } from "../growth/GiftCards";
import { Points } from "../growth/Points";
import { ProgrammeSettings } from "../growth/ProgrammeSettings";
import { Referrals } from "../growth/Referrals";

const TABS = [
  { id: "programmes", label: "Programmes" },
  { id: "points", label: "Points" },
  { id: "referrals", label: "Referrals" },
  { id: "gift-cards", label: "Gift cards" },
];

export function GrowthPage() {
  const [params, setParams] = useSearchParams();
  // A link with ?user= (from a contact's page) opens that customer's points.
  const tab = params.get("tab") ?? (params.get("user") ? "points" : "programmes");
  return (
    <Page title="Growth">
      <Tabs label="Growth" tabs={TABS} selected={tab} onSelect={(id) => setParams({ tab: id }, { replace: true })}>
        {tab === "programmes" && <ProgrammeSettings />}
        {tab === "points" && <Points />}
        {tab === "referrals" && <Referrals />}
        {tab === "gift-cards" && <GiftCards />}
      </Tabs>
    </Page>
  );
}
