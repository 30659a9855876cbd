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
