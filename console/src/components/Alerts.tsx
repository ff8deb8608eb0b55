import type { ReactNode } from "react";

import { ApiError, describeError, splitFieldErrors } from "../api/errors";
import { useRole } from "../auth/AuthProvider";

/** A failed call, in plain words, announced to screen readers. */
export function ErrorAlert({ error }: { error: unknown }) {
  const role = useRole();
  if (!error) return null;
  return (
    <div className="alert error" role="alert">
      {describeError(error, role)}
    </div>
  );
}

/** A form's failed save: reasons the form shows beside its fields are left out here. */
export function FormErrorAlert({ error, fields }: { error: unknown; fields: readonly string[] }) {
  const role = useRole();
  if (!error) return null;
  const { byField, other } = splitFieldErrors(error, fields);
  const atFields = Object.keys(byField).length > 0;
  const isValidation = error instanceof ApiError && error.status === 400;
  const summary = isValidation && atFields ? "Please correct the fields marked below." : describeError(error, role);
  return (
    <div className="alert error" role="alert">
      {summary}
      {other.length > 0 && (
        <ul>
          {other.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ kind = "info", children }: { kind?: "info" | "success" | "warning"; children: ReactNode }) {
  return (
    <div className={`alert ${kind}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p role="status" className="muted">
      {what}…
    </p>
  );
}
