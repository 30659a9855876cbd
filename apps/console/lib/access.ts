import "server-only";
import { callApi } from "./api";
import { graphql, type ResultOf } from "./graphql";

/** The API-key scopes, in the order the create form shows them, with what each opens. */
export const SCOPES = [
  { scope: "SEND", help: "send notifications, bulk sends, broadcasts, test sends" },
  { scope: "SCHEDULE", help: "send later, reschedule, cancel, recurring schedules" },
  { scope: "TEMPLATES", help: "read and write templates and categories" },
  { scope: "RECIPIENTS", help: "read and write recipients, devices, preferences, topics" },
  { scope: "HISTORY", help: "read delivery history, replay dead letters" },
  { scope: "ADMIN", help: "everything, including API keys and users" },
] as const;
export type ScopeName = (typeof SCOPES)[number]["scope"];

export const ROLES = [
  { role: "ADMIN", help: "everything: users, API keys, provider settings" },
  { role: "EDITOR", help: "templates and test sends" },
  { role: "SUPPORT", help: "recipient lookup, history, preference edits, resend, dead-letter replay" },
  { role: "VIEWER", help: "read only" },
] as const;
export type RoleName = (typeof ROLES)[number]["role"];

const API_KEYS = graphql(`
  query ConsoleApiKeys {
    apiKeys {
      id
      appKey
      label
      scopes
      createdAt
      lastUsedAt
      revokedAt
      expiresAt
      createdBy
    }
  }
`);

export const CREATE_API_KEY = graphql(`
  mutation ConsoleCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      appSecret
      key {
        id
        appKey
      }
    }
  }
`);

export const REVOKE_API_KEY = graphql(`
  mutation ConsoleRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      appKey
    }
  }
`);

export const ROTATE_API_KEY = graphql(`
  mutation ConsoleRotateApiKey($id: ID!, $overlapSeconds: Int!) {
    rotateApiKey(id: $id, overlapSeconds: $overlapSeconds) {
      created {
        appSecret
        key {
          id
          appKey
        }
      }
      previous {
        appKey
        expiresAt
      }
    }
  }
`);

const MEMBERS = graphql(`
  query ConsoleMembers {
    members {
      userId
      email
      name
      role
      createdAt
    }
    invitations {
      id
      email
      role
      createdAt
      expiresAt
    }
    allowedDomains {
      domain
      role
      createdAt
    }
  }
`);

export const SET_MEMBER_ROLE = graphql(`
  mutation ConsoleSetMemberRole($userId: ID!, $role: Role!) {
    setMemberRole(userId: $userId, role: $role) {
      email
      role
    }
  }
`);

export const REMOVE_MEMBER = graphql(`
  mutation ConsoleRemoveMember($userId: ID!) {
    removeMember(userId: $userId) {
      email
    }
  }
`);

export const INVITE_MEMBER = graphql(`
  mutation ConsoleInviteMember($email: String!, $role: Role!) {
    inviteMember(email: $email, role: $role) {
      id
      email
      role
    }
  }
`);

export const REVOKE_INVITATION = graphql(`
  mutation ConsoleRevokeInvitation($id: ID!) {
    revokeInvitation(id: $id)
  }
`);

export const ALLOW_DOMAIN = graphql(`
  mutation ConsoleAllowDomain($domain: String!, $role: Role!) {
    allowDomain(domain: $domain, role: $role) {
      domain
      role
    }
  }
`);

export const REMOVE_ALLOWED_DOMAIN = graphql(`
  mutation ConsoleRemoveAllowedDomain($domain: String!) {
    removeAllowedDomain(domain: $domain)
  }
`);

export type ApiKeySummary = ResultOf<typeof API_KEYS>["apiKeys"][number];
export type MembersPage = ResultOf<typeof MEMBERS>;

export async function listApiKeys(): Promise<ApiKeySummary[]> {
  return (await callApi(API_KEYS, {})).apiKeys;
}

export async function membersPage(): Promise<MembersPage> {
  return callApi(MEMBERS, {});
}

/** A key's state as one word for its badge: revoked, expired, expiring (rotation overlap) or active. */
export function keyState(key: Pick<ApiKeySummary, "revokedAt" | "expiresAt">, now = Date.now()): "revoked" | "expired" | "expiring" | "active" {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt) return new Date(key.expiresAt).getTime() <= now ? "expired" : "expiring";
  return "active";
}
