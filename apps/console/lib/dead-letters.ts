import "server-only";
import { callApi } from "./api";
import { graphql, type ResultOf, type VariablesOf } from "./graphql";

export const DEAD_LETTERS_PAGE = 50;

const DEAD_LETTERS = graphql(`
  query ConsoleDeadLetters($filter: DeadLetterFilter, $first: Int!) {
    deadLetters(filter: $filter, first: $first) {
      id
      channel
      category
      statusReason
      lastError
      lastErrorCode
      attemptCount
      createdAt
      deadLetteredAt
      replayedAt
      recipient {
        externalId
      }
    }
  }
`);

const REPLAY = graphql(`
  mutation ConsoleReplayDeadLetters($input: ReplayDeadLettersInput!) {
    replayDeadLetters(input: $input) {
      replayed
      remaining
    }
  }
`);

export type DeadLetterRow = ResultOf<typeof DEAD_LETTERS>["deadLetters"][number];
export type DeadLetterFilter = NonNullable<VariablesOf<typeof DEAD_LETTERS>["filter"]>;

export async function listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetterRow[]> {
  return (await callApi(DEAD_LETTERS, { filter, first: DEAD_LETTERS_PAGE })).deadLetters;
}

/** One dead letter by id, or every one matching the filter (the API replays up to 1,000 per call). */
export async function replayDeadLetters(input: { id: string } | { filter: DeadLetterFilter }): Promise<{ replayed: number; remaining: number }> {
  return (await callApi(REPLAY, { input })).replayDeadLetters;
}

const CHANNELS = ["EMAIL", "SMS", "IOS_PUSH", "ANDROID_PUSH", "WEB_PUSH", "IN_APP"] as const;

/** The filter a form or the URL names; blank fields mean "any". */
export function filterFrom(get: (name: string) => string | undefined): DeadLetterFilter {
  const channel = get("channel");
  const filter: DeadLetterFilter = {};
  if (channel && (CHANNELS as readonly string[]).includes(channel)) filter.channel = channel as DeadLetterFilter["channel"];
  const externalId = get("externalId")?.trim();
  if (externalId) filter.externalId = externalId;
  const errorCode = get("errorCode")?.trim();
  if (errorCode) filter.errorCode = errorCode;
  return filter;
}

export { CHANNELS };
