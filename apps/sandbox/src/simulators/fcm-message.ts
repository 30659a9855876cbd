/**
 * Validation of an FCM HTTP v1 `Message`, returning Google's INVALID_ARGUMENT message text or
 * undefined. Google's JSON parsing accepts both snake_case (what firebase-admin sends) and
 * camelCase field names, so both are read.
 */
const MAX_MESSAGE_BYTES = 4096;
const DURATION = /^\d+(\.\d{1,9})?s$/;
const TOPIC = /^[a-zA-Z0-9\-_.~%]+$/;
/** FCM registration tokens are long URL-safe strings; this catches obviously malformed ones. */
const REGISTRATION_TOKEN = /^[A-Za-z0-9_\-:.]{8,4096}$/;

export function checkFcmMessage(message: unknown): string | undefined {
  if (!isObject(message)) return "Invalid value at 'message': a Message object is required.";
  const targets = ["token", "topic", "condition"].filter((k) => message[k] !== undefined);
  if (targets.length !== 1) return "Exactly one of 'message.token', 'message.topic' or 'message.condition' must be set.";
  if (message.token !== undefined && (typeof message.token !== "string" || !REGISTRATION_TOKEN.test(message.token))) {
    return "The registration token is not a valid FCM registration token";
  }
  if (message.topic !== undefined && (typeof message.topic !== "string" || !TOPIC.test(message.topic))) {
    return "Invalid value at 'message.topic'.";
  }
  if (message.condition !== undefined && typeof message.condition !== "string") return "Invalid value at 'message.condition'.";

  const problem =
    checkStringMap(message.data, "message.data") ??
    checkNotification(message.notification, "message.notification") ??
    checkAndroid(message.android);
  if (problem) return problem;

  // The limit is on the payload, so the addressing fields do not count.
  const { token: _t, topic: _p, condition: _c, ...payload } = message;
  if (Buffer.byteLength(JSON.stringify(payload)) > MAX_MESSAGE_BYTES) return `Message is too big: over ${MAX_MESSAGE_BYTES} bytes.`;
  return undefined;
}

function checkAndroid(android: unknown): string | undefined {
  if (android === undefined) return undefined;
  if (!isObject(android)) return "Invalid value at 'message.android'.";
  const { priority, ttl } = android;
  if (priority !== undefined && (typeof priority !== "string" || !["normal", "high"].includes(priority.toLowerCase()))) {
    return `Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), ${JSON.stringify(priority)}`;
  }
  if (ttl !== undefined && (typeof ttl !== "string" || !DURATION.test(ttl))) {
    return `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(ttl)}`;
  }
  const collapseKey = android.collapse_key ?? android.collapseKey;
  if (collapseKey !== undefined && typeof collapseKey !== "string") return "Invalid value at 'message.android.collapse_key' (TYPE_STRING)";
  return checkStringMap(android.data, "message.android.data") ?? checkNotification(android.notification, "message.android.notification");
}

/** `data` maps are map<string, string>: any other value type is rejected. */
function checkStringMap(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return `Invalid value at '${field}'.`;
  const entries = Object.entries(value);
  const index = entries.findIndex(([, v]) => typeof v !== "string");
  if (index >= 0) return `Invalid value at '${field}[${index}].value' (TYPE_STRING), ${JSON.stringify(entries[index][1])}`;
  return undefined;
}

function checkNotification(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return `Invalid value at '${field}'.`;
  for (const key of ["title", "body", "image"]) {
    if (value[key] !== undefined && typeof value[key] !== "string") return `Invalid value at '${field}.${key}' (TYPE_STRING)`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
