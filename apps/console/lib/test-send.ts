import "server-only";
import { callApi } from "./api";
import { graphql } from "./graphql";
import { requireViewerApp } from "./viewer";

const SEND_TEST_TO_ME = graphql(`
  mutation ConsoleSendTestToMe($key: String!, $version: Int, $locale: String, $data: JSONObject) {
    sendTestToMe(key: $key, version: $version, locale: $locale, data: $data) {
      notifications {
        id
        status
      }
    }
  }
`);

/**
 * "Send a test to me": the API renders the chosen version (the draft too, which a template send
 * refuses) as an email and sends it to the signed-in user's own address (recipient
 * "console:<email>" of the current app). It needs TEST_SEND, which editors have, not SEND: the
 * console no longer builds the email itself out of upsertRecipient + sendNotification, which an
 * editor may not call.
 */
export async function sendTestToMe(key: string, version: number | null, locale: string | null, data: Record<string, unknown> | null): Promise<{ email: string; notificationId: string }> {
  const viewer = await requireViewerApp();
  const { sendTestToMe: sent } = await callApi(SEND_TEST_TO_ME, { key, version, locale, data });
  return { email: viewer.user.email, notificationId: sent.notifications[0]!.id };
}
