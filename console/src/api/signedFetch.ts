/** The `fetch` the API client uses: every request signed with SigV4 (service execute-api) using
 * the signed-in user's temporary credentials, the same IAM authorization the CLI goes through. */

import { AwsClient } from "aws4fetch";

import type { Credentials, Session } from "../auth/session";

export interface CredentialSource {
  current(): Session | null;
  renewNow(): Promise<Session>;
}

export interface SignedFetchOptions {
  region: string;
  credentials: CredentialSource;
  fetchImpl?: (request: Request) => Promise<Response>;
}

export class NotSignedIn extends Error {
  constructor() {
    super("You are not signed in.");
  }
}

function signer(credentials: Credentials, region: string): AwsClient {
  return new AwsClient({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: "execute-api",
    region,
    retries: 0, // a failed call is shown to the user, not repeated behind their back
  });
}

/** API Gateway answers 403 "The security token included in the request is expired" when the
 * credentials ran out between the renewal timer and the request (e.g. a laptop woke up). */
export async function saysTokenExpired(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  try {
    const text = await response.clone().text();
    return /token[^"]*expired|expired[^"]*token/i.test(text);
  } catch {
    return false;
  }
}

export function createSignedFetch(options: SignedFetchOptions): (request: Request) => Promise<Response> {
  const send = options.fetchImpl ?? ((request: Request) => fetch(request));

  async function signAndSend(request: Request, session: Session): Promise<Response> {
    const signed = await signer(session.credentials, options.region).sign(request);
    return send(signed);
  }

  return async (request: Request) => {
    const session = options.credentials.current();
    if (!session) throw new NotSignedIn();
    const retry = request.clone(); // a body can be read once: keep a copy for the one retry
    const response = await signAndSend(request, session);
    if (!(await saysTokenExpired(response))) return response;
    const renewed = await options.credentials.renewNow();
    return signAndSend(retry, renewed);
  };
}
