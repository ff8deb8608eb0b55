import { useEffect, useState, type FormEvent, type ReactNode } from "react";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import { REWARD_TYPES, type RewardType } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, FormErrorAlert, Loading, Notice } from "../components/Alerts";
import { CheckboxField, SelectField, TextField } from "../components/Field";
import { Card } from "../components/Page";
import { humanize } from "../format";
import { useAction, useLoad } from "../hooks";

/** A programme's settings, once loaded: a form whose Save (for those who may write) runs `save`. */
function ProgrammeForm({ title, loaded, save, fields, saved, children }: { title: string; loaded: { data: unknown; error: unknown }; save: { run(): Promise<unknown>; error: unknown }; fields: readonly string[]; saved: boolean; children: ReactNode }) {
  const canWrite = useCanWrite();
  if (!loaded.data) return loaded.error ? <ErrorAlert error={loaded.error} /> : <Loading what={`Loading the ${title.toLowerCase()}`} />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  return (
    <Card title={title}>
      <form onSubmit={submit} aria-label={title} noValidate>
        <FormErrorAlert error={save.error} fields={fields} />
        {saved && <Notice kind="success">Saved.</Notice>}
        {children}
        {canWrite && <button type="submit">Save</button>}
      </form>
    </Card>
  );
}

const LOYALTY_FIELDS = ["enabled", "points_per_unit", "redemption_rate", "min_redeem_points", "expiry_months"] as const;

function LoyaltySettings() {
  const api = useApi();
  const canWrite = useCanWrite();
  const loaded = useLoad(() => unwrap(api.GET("/loyalty/program/")), [api]);
  const [form, setForm] = useState({ enabled: true, points_per_unit: "", redemption_rate: "", min_redeem_points: "", expiry_months: "" });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const program = loaded.data;
    if (!program) return;
    setForm({
      enabled: program.enabled,
      points_per_unit: program.points_per_unit,
      redemption_rate: String(program.redemption_rate),
      min_redeem_points: String(program.min_redeem_points),
      expiry_months: program.expiry_months ? String(program.expiry_months) : "",
    });
  }, [loaded.data]);
  const save = useAction(async () => {
    setSaved(false);
    const body = {
      enabled: form.enabled,
      points_per_unit: form.points_per_unit,
      redemption_rate: Number(form.redemption_rate),
      min_redeem_points: Number(form.min_redeem_points),
      expiry_months: form.expiry_months ? Number(form.expiry_months) : null, // null: points never expire
    };
    loaded.setData(await unwrap(api.PATCH("/loyalty/program/", { body })));
    setSaved(true);
  });
  const errors = splitFieldErrors(save.error, LOYALTY_FIELDS).byField;
  return (
    <ProgrammeForm title="Loyalty programme" loaded={loaded} save={save} fields={LOYALTY_FIELDS} saved={saved}>
      <CheckboxField label="Customers earn and redeem points" checked={form.enabled} disabled={!canWrite} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} />
      <div className="form-row">
        <TextField label="Points per £1 spent" inputMode="decimal" value={form.points_per_unit} readOnly={!canWrite} onChange={(e) => setForm({ ...form, points_per_unit: e.target.value })} error={errors.points_per_unit} />
        <TextField label="Points per £1 of discount" type="number" min={1} value={form.redemption_rate} readOnly={!canWrite} onChange={(e) => setForm({ ...form, redemption_rate: e.target.value })} error={errors.redemption_rate} />
      </div>
      <div className="form-row">
        <TextField label="Fewest points per redemption" type="number" min={1} value={form.min_redeem_points} readOnly={!canWrite} onChange={(e) => setForm({ ...form, min_redeem_points: e.target.value })} error={errors.min_redeem_points} />
        <TextField
          label="Points expire after (months)"
          type="number"
          min={1}
          max={120}
          value={form.expiry_months}
          readOnly={!canWrite}
          onChange={(e) => setForm({ ...form, expiry_months: e.target.value })}
          error={errors.expiry_months}
          hint="Months without activity; empty: never"
        />
      </div>
    </ProgrammeForm>
  );
}

const REFERRAL_FIELDS = ["enabled", "referrer_reward", "referee_reward", "min_purchase_amount", "expiry_days"] as const;

function RewardFields({ legend, type, value, onChange, error, readOnly }: { legend: string; type: RewardType; value: string; onChange(type: RewardType, value: string): void; error?: string | undefined; readOnly: boolean }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="form-row">
        <SelectField label={`${legend}: type`} value={type} disabled={readOnly} onChange={(e) => onChange(e.target.value as RewardType, value)} options={REWARD_TYPES.map((t) => ({ value: t, label: humanize(t) }))} />
        <TextField
          label={`${legend}: value`}
          inputMode="decimal"
          value={value}
          readOnly={readOnly}
          onChange={(e) => onChange(type, e.target.value)}
          error={error}
          hint={type === "discount_percent" ? "Percent off" : type === "discount_fixed" ? "Amount off, e.g. 5.00" : "Points"}
        />
      </div>
    </fieldset>
  );
}

function ReferralSettings() {
  const api = useApi();
  const canWrite = useCanWrite();
  const loaded = useLoad(() => unwrap(api.GET("/referrals/program/")), [api]);
  const [form, setForm] = useState({ enabled: true, referrerType: "points" as RewardType, referrerValue: "", refereeType: "discount_percent" as RewardType, refereeValue: "", minPurchase: "", expiryDays: "" });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const program = loaded.data;
    if (!program) return;
    setForm({
      enabled: program.enabled,
      referrerType: program.referrer_reward?.type ?? "points",
      referrerValue: program.referrer_reward?.value ?? "",
      refereeType: program.referee_reward?.type ?? "discount_percent",
      refereeValue: program.referee_reward?.value ?? "",
      minPurchase: program.min_purchase_amount,
      expiryDays: String(program.expiry_days),
    });
  }, [loaded.data]);
  const save = useAction(async () => {
    setSaved(false);
    loaded.setData(
      await unwrap(
        api.PATCH("/referrals/program/", {
          body: {
            enabled: form.enabled,
            referrer_reward: { type: form.referrerType, value: form.referrerValue },
            referee_reward: { type: form.refereeType, value: form.refereeValue },
            min_purchase_amount: form.minPurchase,
            expiry_days: Number(form.expiryDays),
          },
        }),
      ),
    );
    setSaved(true);
  });
  const errors = splitFieldErrors(save.error, REFERRAL_FIELDS).byField;
  return (
    <ProgrammeForm title="Referral programme" loaded={loaded} save={save} fields={REFERRAL_FIELDS} saved={saved}>
      <CheckboxField label="Customers can refer friends" checked={form.enabled} disabled={!canWrite} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} />
      <RewardFields legend="Referrer's reward" type={form.referrerType} value={form.referrerValue} readOnly={!canWrite} error={errors.referrer_reward} onChange={(type, value) => setForm({ ...form, referrerType: type, referrerValue: value })} />
      <RewardFields legend="Friend's reward" type={form.refereeType} value={form.refereeValue} readOnly={!canWrite} error={errors.referee_reward} onChange={(type, value) => setForm({ ...form, refereeType: type, refereeValue: value })} />
      <div className="form-row">
        <TextField label="Friend's first order at least" inputMode="decimal" value={form.minPurchase} readOnly={!canWrite} onChange={(e) => setForm({ ...form, minPurchase: e.target.value })} error={errors.min_purchase_amount} />
        <TextField label="A pending referral expires after (days)" type="number" min={1} value={form.expiryDays} readOnly={!canWrite} onChange={(e) => setForm({ ...form, expiryDays: e.target.value })} error={errors.expiry_days} />
      </div>
    </ProgrammeForm>
  );
}

export function ProgrammeSettings() {
  return (
    <div className="grid-2">
      <LoyaltySettings />
      <ReferralSettings />
    </div>
  );
}
