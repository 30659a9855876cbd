import type { TemplateVersion } from "@notify/db";
import { compileContent, type CompiledContent } from "./compile.js";
import type { TemplateContent } from "./template-content.js";

/**
 * Parsed templates per version id. Only published and archived versions are cached: their content
 * never changes again, so no invalidation is needed across API processes. Drafts are edited in
 * place and are parsed on every preview.
 */
export class CompiledTemplateCache {
  private readonly entries = new Map<string, CompiledContent>();

  constructor(private readonly capacity = 500) {}

  get(version: Pick<TemplateVersion, "id" | "state" | "content">): CompiledContent {
    if (version.state === "DRAFT") return compileContent(version.content as TemplateContent);
    const hit = this.entries.get(version.id);
    if (hit) {
      // Re-insert so the Map's insertion order is least-recently-used first.
      this.entries.delete(version.id);
      this.entries.set(version.id, hit);
      return hit;
    }
    const compiled = compileContent(version.content as TemplateContent);
    this.entries.set(version.id, compiled);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }
}
