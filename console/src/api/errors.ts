/** The API's error bodies turned into what a form shows: each field's reason beside the field,
 * everything else in one alert. */

import type { Role } from "../auth/session";

export interface ErrorDetail {
  field?: string;
  reason?: string;
  message?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** `{"error": {code, message, details}}` from the API, or `{"message"}` from the gateway. */
  static from(status: number, body: unknown): ApiError {
    const error = (body as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
    if (error && typeof error === "object") {
      return new ApiError(status, error.message || `Request failed (${status})`, error.code || "error", error.details ?? []);
    }
    const message = (body as { message?: string } | null)?.message;
    return new ApiError(status, message || `Request failed (${status})`, "gateway");
  }
}

export interface FieldErrors {
  /** Reason per form field, for the fields the form shows. */
  byField: Record<string, string>;
  /** Reasons no shown field owns. */
  other: string[];
}

/** The field a detail is about, as the form names it: "emails.0.template_id" belongs to a form
 * field named "emails.0.template_id", else "emails.0", else "emails". */
function owningField(path: string, shown: readonly string[]): string | undefined {
  const parts = path.split(".");
  for (let length = parts.length; length > 0; length -= 1) {
    const candidate = parts.slice(0, length).join(".");
    if (shown.includes(candidate)) return candidate;
  }
  return undefined;
}

export function splitFieldErrors(error: unknown, shown: readonly string[]): FieldErrors {
  const result: FieldErrors = { byField: {}, other: [] };
  if (!(error instanceof ApiError)) return result;
  for (const detail of error.details) {
    const reason = detail.reason ?? detail.message;
    if (typeof detail.field !== "string" || typeof reason !== "string") continue;
    const field = owningField(detail.field, shown);
    if (field) {
      result.byField[field] = result.byField[field] ? `${result.byField[field]}; ${reason}` : reason;
    } else {
      result.other.push(detail.field === "body" ? reason : `${detail.field}: ${reason}`);
    }
  }
  return result;
}

/** What to tell the user about a failed call, in plain words. */
export function describeError(error: unknown, role: Role | undefined): string {
  if (error instanceof ApiError) {
    if (error.status === 403 && role === "analyst") return "Your role (analyst) can't do this.";
    if (error.status === 403) return `Not allowed: ${error.message}`;
    if (error.status === 401) return "Your session has ended. Please sign in again.";
    if (error.status === 429) return "Too many requests just now. Please try again in a moment.";
    if (error.status >= 500) return "Something went wrong on the server. Please try again.";
    return error.message;
  }
  if (error instanceof TypeError) return "The API could not be reached. Check your connection and try again.";
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
