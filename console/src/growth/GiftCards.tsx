import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { splitFieldErrors } from "../api/errors";
import type { CreatedGiftCard, GiftCardDetail } from "../api/types";
import { useApi, useCanWrite } from "../auth/AuthProvider";
import { ErrorAlert, FormErrorAlert, Loading, Notice } from "../components/Alerts";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DataTable } from "../components/DataTable";
import { TextField } from "../components/Field";
import { LoadMore } from "../components/LoadMore";
import { Card } from "../components/Page";
import { StatusBadge } from "../components/StatusBadge";
import { endOfLocalDay, formatDateTime, formatMoney, humanize } from "../format";
import { useAction, usePaged } from "../hooks";

const CREATE_FIELDS = ["amount", "currency", "expires_at", "recipient_email", "note"] as const;

/** The new card's code, shown this once (the API keeps only a hash and the last four characters). */
function NewCode({ card, onDone }: { card: CreatedGiftCard; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(card.code);
    setCopied(true);
  };
  return (
    <div className="alert success" role="status">
      <p style={{ marginTop: 0 }}>
        <strong>Gift card created: {formatMoney(card.balance, card.currency)}.</strong> Copy the code now: it is shown only this once.
      </p>
      <p className="secret mono" aria-label="Gift card code">
        {card.code}
      </p>
      <div className="row">
        <button type="button" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy code"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

function CreateGiftCard({ onCreated }: { onCreated(): void }) {
  const api = useApi();
  const [form, setForm] = useState({ amount: "", currency: "GBP", expires: "", recipient: "", note: "" });
  const [created, setCreated] = useState<CreatedGiftCard | null>(null);
  const create = useAction(async () => {
    const expiresAt = form.expires ? endOfLocalDay(form.expires) : null;
    if (form.expires && !expiresAt) throw new Error("Choose the day the card expires on, or leave it empty for never.");
    const card = await unwrap(
      api.POST("/gift-cards/", {
        body: {
          amount: form.amount.trim(),
          currency: form.currency.trim().toUpperCase(),
          expires_at: expiresAt,
          recipient_email: form.recipient.trim() || null,
          note: form.note.trim() || null,
        },
      }),
    );
    setCreated(card);
    setForm({ amount: "", currency: form.currency, expires: "", recipient: "", note: "" });
    onCreated();
  });
  const errors = splitFieldErrors(create.error, CREATE_FIELDS).byField;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create.run();
  };
  return (
    <Card title="Create a gift card">
      {created && <NewCode card={created} onDone={() => setCreated(null)} />}
      <form onSubmit={submit} aria-label="Create a gift card" noValidate>
        <FormErrorAlert error={create.error} fields={CREATE_FIELDS} />
        <div className="form-row">
          <TextField label="Amount" inputMode="decimal" value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} error={errors.amount} required />
          <TextField label="Currency" value={form.currency} maxLength={3} onChange={(e) => setForm({ ...form, currency: e.target.value })} error={errors.currency} />
          <TextField label="Expires on" type="date" value={form.expires} onChange={(e) => setForm({ ...form, expires: e.target.value })} error={errors.expires_at} hint="At the end of that day, your time. Empty: never" />
        </div>
        <div className="form-row">
          <TextField label="Recipient email" type="email" value={form.recipient} onChange={(e) => setForm({ ...form, recipient: e.target.value })} error={errors.recipient_email} hint="For your records" />
          <TextField label="Note" value={form.note} onChange={(e) => setForm({ ...form, note: e.target.value })} error={errors.note} />
        </div>
        <button type="submit" disabled={create.pending}>
          Create gift card
        </button>
      </form>
    </Card>
  );
}

function GiftCardView({ card, onChange }: { card: GiftCardDetail; onChange(card: GiftCardDetail): void }) {
  const api = useApi();
  const canWrite = useCanWrite();
  const path = { params: { path: { gift_card_id: card.id } } };
  const [amount, setAmount] = useState("");
  const [orderId, setOrderId] = useState("");
  const [confirmDisable, setConfirmDisable] = useState(false);
  const [redeemed, setRedeemed] = useState<string | null>(null);
  const reload = async () => onChange(await unwrap(api.GET("/gift-cards/{gift_card_id}/", path)));
  const redeem = useAction(async () => {
    const result = await unwrap(api.POST("/gift-cards/{gift_card_id}/redeem/", { ...path, body: { amount: amount.trim(), order_id: orderId.trim() } }));
    setRedeemed(`Charged ${formatMoney(result.amount, result.currency)} for order ${result.order_id}; ${formatMoney(result.balance, result.currency)} left.`);
    setAmount("");
    setOrderId("");
    await reload();
  });
  const disable = useAction(async () => {
    await unwrap(api.POST("/gift-cards/{gift_card_id}/disable/", path));
    await reload();
  });
  const errors = splitFieldErrors(redeem.error, ["amount", "order_id"]).byField;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRedeemed(null);
    void redeem.run();
  };
  return (
    <Card title={`Gift card …${card.code_hint}`}>
      <p style={{ marginTop: 0 }}>
        <StatusBadge status={card.status} /> <strong>{formatMoney(card.balance, card.currency)}</strong> of {formatMoney(card.initial_balance, card.currency)} left · created{" "}
        {formatDateTime(card.created_at)} ({humanize(card.source)}) · expires {card.expires_at ? formatDateTime(card.expires_at) : "never"}
        {card.recipient_email ? ` · for ${card.recipient_email}` : ""}
      </p>
      <ErrorAlert error={disable.error} />
      {redeemed && <Notice kind="success">{redeemed}</Notice>}
      {canWrite && card.status === "active" && (
        <form onSubmit={submit} aria-label="Redeem" className="form-row" noValidate>
          <TextField label="Amount to redeem" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={errors.amount} />
          <TextField label="Order id" value={orderId} onChange={(e) => setOrderId(e.target.value)} error={errors.order_id} hint="Charges once per order" />
          <div className="field-action">
            <button type="submit" disabled={redeem.pending}>
              Redeem
            </button>
          </div>
          {redeem.error && !Object.keys(errors).length ? <FormErrorAlert error={redeem.error} fields={["amount", "order_id"]} /> : null}
        </form>
      )}
      {canWrite && card.status === "active" && (
        <button type="button" className="danger" onClick={() => setConfirmDisable(true)}>
          Disable gift card
        </button>
      )}
      {card.transactions.length > 0 && (
        <DataTable columns={["When", "Type", { label: "Amount", numeric: true }, "Order"]} caption="Transactions" style={{ marginTop: "1rem" }}>
          {card.transactions.map((transaction) => (
            <tr key={transaction.id}>
              <td>{formatDateTime(transaction.created_at)}</td>
              <td>{humanize(transaction.type)}</td>
              <td className="num">{formatMoney(transaction.amount, card.currency)}</td>
              <td className="mono small">{transaction.order_id ?? "—"}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <ConfirmDialog
        open={confirmDisable}
        title="Disable this gift card?"
        confirmLabel="Disable gift card"
        danger
        onCancel={() => setConfirmDisable(false)}
        onConfirm={() => {
          setConfirmDisable(false);
          void disable.run();
        }}
      >
        <p>The code stops working at checkout. Its balance is kept but cannot be spent.</p>
      </ConfirmDialog>
    </Card>
  );
}

function LookUp({ onFound }: { onFound(card: GiftCardDetail): void }) {
  const api = useApi();
  const [code, setCode] = useState("");
  const lookUp = useAction(async () => {
    const card = await unwrap(api.POST("/gift-cards/lookup/", { body: { code: code.trim() } }));
    onFound(await unwrap(api.GET("/gift-cards/{gift_card_id}/", { params: { path: { gift_card_id: card.id } } })));
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void lookUp.run();
  };
  return (
    <form onSubmit={submit} className="form-row" role="search" aria-label="Gift card by code">
      <TextField label="Gift card code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" />
      <div className="field-action">
        <button type="submit" disabled={code.trim().length < 4 || lookUp.pending}>
          Look up
        </button>
      </div>
      {lookUp.error ? <ErrorAlert error={lookUp.error} /> : null}
    </form>
  );
}

export function GiftCards() {
  const api = useApi();
  const canWrite = useCanWrite();
  const [selected, setSelected] = useState<GiftCardDetail | null>(null);
  const cards = usePaged((next) => unwrap(api.GET("/gift-cards/", { params: { query: { limit: 50, next } } })), [api]);
  const open = useAction(async (id: string) => setSelected(await unwrap(api.GET("/gift-cards/{gift_card_id}/", { params: { path: { gift_card_id: id } } }))));
  return (
    <div className="stack">
      {canWrite && <CreateGiftCard onCreated={cards.reload} />}
      {canWrite && (
        // Looking a code up is a POST (the code stays out of URLs and logs): the manager's.
        <Card title="Find a gift card">
          <LookUp onFound={setSelected} />
        </Card>
      )}
      <ErrorAlert error={open.error} />
      {selected && (
        <GiftCardView
          card={selected}
          onChange={(card) => {
            setSelected(card);
            cards.reload();
          }}
        />
      )}
      <Card title="Gift cards">
        <ErrorAlert error={cards.error} />
        {cards.loading ? (
          <Loading what="Loading gift cards" />
        ) : cards.items.length === 0 ? (
          <p className="muted">No gift cards yet.</p>
        ) : (
          <DataTable columns={["Code", "Status", { label: "Balance", numeric: true }, "Source", "Created"]}>
            {cards.items.map((card) => (
              <tr key={card.id}>
                <td>
                  <button type="button" className="link" onClick={() => void open.run(card.id)}>
                    …{card.code_hint}
                  </button>
                </td>
                <td>
                  <StatusBadge status={card.status} />
                </td>
                <td className="num">
                  {formatMoney(card.balance, card.currency)} / {formatMoney(card.initial_balance, card.currency)}
                </td>
                <td>{humanize(card.source)}</td>
                <td>{formatDateTime(card.created_at)}</td>
              </tr>
            ))}
          </DataTable>
        )}
        <LoadMore hasMore={cards.hasMore} loading={cards.loadingMore} onClick={cards.loadMore} />
      </Card>
    </div>
  );
}
