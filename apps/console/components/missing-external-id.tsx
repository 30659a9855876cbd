"use client";
import { useParams } from "next/navigation";

/** not-found boundaries get no params, so the id that was not found is read on the client. */
export function MissingExternalId() {
  const params = useParams<{ externalId?: string }>();
  const id = safeDecode(params.externalId ?? "");
  return <code data-testid="missing-external-id">{id}</code>;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
