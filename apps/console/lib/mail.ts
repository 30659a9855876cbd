import "server-only";
import { print } from "graphql";
import { ApiRequestError, ApiUnreachableError } from "./api-errors";
import { ConsoleConfigError, consoleEnv } from "./env";
import { graphql } from "./graphql";

const UPSERT = graphql(`
  mutation ConsoleMailRecipient($input: UpsertRecipientInput!) {
    upsertRecipient(input: $input) {
      id
    }
  }
`);

const SEND = graphql(`
  mutation ConsoleMail($input: SendNotificationInput!) {
    sendNotification(input: $input) {
      notifications {
        id
        status
      }
    }
  }
`);

/** The recipient a console person is in the console's own mail app (and in any app's test sends). */
export function consoleRecipientId(email: string): string {
  return `console:${email.toLowerCase()}`;
}

async function post(query: string, variables: Record<string, unknown>): Promise<void> {
  const { apiUrl, mailKey } = consoleEnv();
  if (!mailKey) throw new ConsoleConfigError("CONSOLE_MAIL_APP_KEY and CONSOLE_MAIL_APP_SECRET are not set: the console cannot send invitation or password-reset emails");
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-app-key": mailKey.appKey, "x-app-secret": mailKey.appSecret },
      body: JSON.stringify({ query, variables }),
      cache: "no-store",
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    throw new ApiUnreachableError(`The API at ${apiUrl} did not answer: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { errors?: { message: string; extensions?: { code?: string } }[] };
  const [first] = body.errors ?? [];
  if (first) throw new ApiRequestError(first.message, first.extensions?.code);
}

/**
 * Sends an account email (invitation, password reset) through the platform's own email
 * channel, with a key pair that belongs to a mail-only app: the signed-in user's identity is
 * never involved, since the person receiving it is not signed in. Urgent: quiet hours do not
 * hold a password reset.
 */
export async function sendAccountEmail(email: string, subject: string, text: string): Promise<void> {
  const externalId = consoleRecipientId(email);
  await post(print(UPSERT), { input: { externalId, email } });
  await post(print(SEND), { input: { externalId, channels: ["EMAIL"], urgent: true, content: { subject, body: text } } });
}
