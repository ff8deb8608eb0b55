import { BrowserRouter, Route, Routes } from "react-router";

import { useAuth } from "./auth/AuthProvider";
import { Layout } from "./components/Layout";
import { AutomationEditorPage } from "./pages/AutomationEditorPage";
import { AutomationPage } from "./pages/AutomationPage";
import { AutomationsPage } from "./pages/AutomationsPage";
import { CampaignCreatePage } from "./pages/CampaignCreatePage";
import { CampaignPage } from "./pages/CampaignPage";
import { CampaignsPage } from "./pages/CampaignsPage";
import { ContactImportPage } from "./pages/ContactImportPage";
import { ContactPage } from "./pages/ContactPage";
import { ContactsPage } from "./pages/ContactsPage";
import { GrowthPage } from "./pages/GrowthPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OutboxPage } from "./pages/OutboxPage";
import { OverviewPage } from "./pages/OverviewPage";
import { SegmentEditorPage } from "./pages/SegmentEditorPage";
import { SegmentsPage } from "./pages/SegmentsPage";
import { SignInPage } from "./pages/SignInPage";
import { TemplateEditorPage } from "./pages/TemplateEditorPage";
import { TemplatesPage } from "./pages/TemplatesPage";

function SignedInRoutes() {
  const { config } = useAuth();
  return (
    <Layout>
      <Routes>
        <Route index element={<OverviewPage />} />
        <Route path="templates" element={<TemplatesPage />} />
        <Route path="templates/new" element={<TemplateEditorPage />} />
        <Route path="templates/:templateId" element={<TemplateEditorPage />} />
        <Route path="segments" element={<SegmentsPage />} />
        <Route path="segments/new" element={<SegmentEditorPage />} />
        <Route path="segments/:segmentId" element={<SegmentEditorPage />} />
        <Route path="contacts" element={<ContactsPage />} />
        <Route path="contacts/import" element={<ContactImportPage />} />
        <Route path="contacts/:contactId" element={<ContactPage />} />
        <Route path="campaigns" element={<CampaignsPage />} />
        <Route path="campaigns/new" element={<CampaignCreatePage />} />
        <Route path="campaigns/:campaignId" element={<CampaignPage />} />
        <Route path="automations" element={<AutomationsPage />} />
        <Route path="automations/new" element={<AutomationEditorPage />} />
        <Route path="automations/:automationId" element={<AutomationPage />} />
        <Route path="automations/:automationId/edit" element={<AutomationEditorPage />} />
        <Route path="growth" element={<GrowthPage />} />
        {config.outboxUrl && <Route path="outbox" element={<OutboxPage />} />}
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Layout>
  );
}

export function App() {
  const { session } = useAuth();
  return <BrowserRouter basename="/console">{session ? <SignedInRoutes /> : <SignInPage />}</BrowserRouter>;
}
