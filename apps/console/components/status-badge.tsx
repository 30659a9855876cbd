const TONE: Record<string, "ok" | "bad" | "warn" | ""> = {
  SENT: "ok", DELIVERED: "ok", SUCCEEDED: "ok", ACTIVE: "ok",
  FAILED: "bad", DEAD: "bad", INVALID: "bad",
  PENDING: "warn", QUEUED: "warn", SENDING: "warn",
  SKIPPED: "", CANCELED: "",
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge ${TONE[status] ?? ""}`} data-testid={testId}>
      {status}
    </span>
  );
}
