import "server-only";
import { callApi } from "./api";
import { graphql, type ResultOf } from "./graphql";

export const HISTORY_PAGE_SIZE = 50;

const RECIPIENT_LOOKUP = graphql(`
  query RecipientLookup($externalId: String!, $first: Int!, $before: ID) {
    recipient(externalId: $externalId) {
      id
      externalId
      email
      emailInvalidReason
      phone
      phoneInvalidReason
      locale
      timezone
      createdAt
      updatedAt
      preferences {
        category
        channel
        enabled
        updatedAt
      }
      devices {
        id
        platform
        token
        state
        invalidReason
        createdAt
        lastSeenAt
      }
    }
    categories {
      key
      required
    }
    deliveryHistory(externalId: $externalId, first: $first, before: $before) {
      id
      channel
      status
      statusReason
      lastError
      category
      content
      createdAt
      sentAt
      attemptCount
      attempts {
        id
        attemptNumber
        provider
        target
        status
        errorCode
        errorMessage
        providerMessageId
        startedAt
        finishedAt
      }
      events {
        id
        type
        source
        occurredAt
        detail
      }
    }
  }
`);

export type RecipientLookup = ResultOf<typeof RECIPIENT_LOOKUP>;
export type RecipientDetail = RecipientLookup["recipient"];
export type HistoryItem = RecipientLookup["deliveryHistory"][number];

/** One round trip for everything the support page shows; NOT_FOUND surfaces as ApiRequestError. */
export function lookUpRecipient(externalId: string, before?: string): Promise<RecipientLookup> {
  return callApi(RECIPIENT_LOOKUP, { externalId, first: HISTORY_PAGE_SIZE, before: before ?? null });
}

export const DELETE_RECIPIENT = graphql(`
  mutation ConsoleDeleteRecipient($externalId: String!) {
    deleteRecipient(externalId: $externalId) {
      externalId
      notificationsErased
      notificationsCanceled
      devicesDeleted
    }
  }
`);
const SET_PREFERENCE = graphql(`
  mutation ConsoleSetPreference($externalId: String!, $category: String!, $channel: ChannelScope!, $enabled: Boolean!) {
    setPreference(externalId: $externalId, category: $category, channel: $channel, enabled: $enabled) {
      category
      channel
      enabled
    }
  }
`);

export type PreferenceRow = RecipientDetail["preferences"][number];
export type ChannelScope = PreferenceRow["channel"];
export const CHANNEL_SCOPES: ChannelScope[] = ["ALL", "EMAIL", "SMS", "IOS_PUSH", "ANDROID_PUSH", "WEB_PUSH", "IN_APP"];

/** A support edit of one rule; the API checks the role (RECIPIENTS_WRITE) and audits it. */
export async function setPreference(externalId: string, category: string, channel: ChannelScope, enabled: boolean): Promise<void> {
  await callApi(SET_PREFERENCE, { externalId, category, channel, enabled });
}
