/** Names for the API's schemas, all generated from its OpenAPI document. */

import type { components } from "./schema";

type Schemas = components["schemas"];

export type Template = Schemas["EmailTemplate"];
export type TemplateCategory = Schemas["TemplateCategory"];
export type Segment = Schemas["Segment"];
export type Contact = Schemas["Contact"];
export type ContactExport = Schemas["ContactExport"];
export type ContactImport = Schemas["ContactImport"];
export type ImportConsent = Schemas["ImportConsent"];
export type LifecycleStage = Schemas["LifecycleStage"];
export type Subscriber = Schemas["Subscriber"];
export type ConsentEntry = Schemas["ConsentEntry"];
export type ConsentEvent = Schemas["ConsentEvent"];
export type ConsentMethod = Schemas["ConsentMethod"];
export type Campaign = Schemas["Campaign"];
export type CampaignStatus = Schemas["CampaignStatus"];
export type CampaignCost = Schemas["CampaignCost"];
export type CampaignAnalytics = Schemas["CampaignAnalytics"];
export type CampaignRecipient = Schemas["CampaignRecipient"];
export type RecipientStatus = Schemas["RecipientStatus"];
export type CampaignReport = Schemas["CampaignReport"];
export type Automation = Schemas["Automation"];
export type AutomationEmail = Schemas["AutomationEmail"];
export type AutomationAnalytics = Schemas["AutomationAnalytics"];
export type AutomationExecution = Schemas["AutomationExecution"];
export type ExecutionStatus = Schemas["ExecutionStatus"];
export type Trigger = Schemas["Trigger"];
export type LoyaltyProgram = Schemas["LoyaltyProgram"];
export type LoyaltyAccount = Schemas["LoyaltyAccount"];
export type ReferralProgram = Schemas["ReferralProgram"];
export type Referral = Schemas["Referral"];
export type RewardType = Schemas["RewardType"];
export type GiftCard = Schemas["GiftCard"];
export type GiftCardDetail = Schemas["GiftCardDetail"];
export type CreatedGiftCard = Schemas["CreatedGiftCard"];
export type TimelineBucket = Schemas["TimelineBucket"];
export type MailingTimeline = Schemas["MailingTimeline"];
export type LinkClicks = Schemas["LinkClicks"];
export type AudienceDay = Schemas["AudienceDay"];
export type ErrorBody = Schemas["Error"];
/** Criteria as the API types them; the builder's JSON (segments/criteria.ts) has this shape. */
export type ApiCriteria = NonNullable<Schemas["SegmentCreate"]["criteria"]>;

export const LIFECYCLE_STAGES: readonly LifecycleStage[] = ["lead", "customer", "repeat_customer", "vip", "churned"];
export const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = ["promotional", "newsletter", "automation", "transactional"];
export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ["draft", "scheduled", "sending", "paused", "sent", "cancelled"];
export const RECIPIENT_STATUSES: readonly RecipientStatus[] = ["pending", "sent", "failed", "bounced", "unsubscribed", "suppressed"];
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ["pending", "in_progress", "completed", "stopped"];
export const TRIGGERS: readonly Trigger[] = ["user_registered", "cart_abandoned"];
export const REWARD_TYPES: readonly RewardType[] = ["discount_percent", "discount_fixed", "points"];
