import "server-only";
import { callApi } from "./api";
import { graphql } from "./graphql";
import { consoleRecipientId } from "./mail";
import { PREVIEW } from "./templates";
import { requireViewerApp } from "./viewer";

const UPSERT_SELF = graphql(`
  mutation ConsoleTestRecipient($input: UpsertRecipientInput!) {
    upsertRecipient(input: $input) {
      id
    }
  }
`);

const SEND_TEST = graphql(`
  mutation ConsoleTestSend($input: SendNotificationInput!) {
    sendNotification(input: $input) {
      notifications {
        id
        status
      }
    }
  }
`);

/**
 * "Send a test to me": renders any version (the draft too, which a template send refuses) as
 * the API would for EMAIL, and sends the result to the signed-in user's own address, as that
 * user, to the recipient "console:<email>" of the current app (created on the first test).
 */
export async function sendTestToMe(key: string, version: number | null, locale: string | null, data: Record<string, unknown> | null): Promise<{ email: string; notificationId: string; version: number }> {
  const viewer = await requireViewerApp();
  const { email } = viewer.user;
  const { previewTemplate } = await callApi(PREVIEW, { key, version, channel: "EMAIL", locale, data });
  const externalId = consoleRecipientId(email);
  await callApi(UPSERT_SELF, { input: { externalId, email } });
  const content = previewTemplate.content as { subject?: string; body?: string; text?: string; html?: string };
  const { sendNotification } = await callApi(SEND_TEST, {
    input: {
      externalId,
      channels: ["EMAIL"],
      urgent: true,
      content: { subject: `[test v${previewTemplate.version}] ${content.subject ?? key}`, body: content.body ?? content.text ?? null, html: content.html ?? null },
    },
  });
  return { email, notificationId: sendNotification.notifications[0]!.id, version: previewTemplate.version };
}
