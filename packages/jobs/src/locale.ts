/**
 * The locales to try, most specific first: "zh-Hant-TW" → zh-Hant-TW, zh-Hant, zh, then the
 * template's default. A missing or malformed recipient locale goes straight to the default.
 * Shared by the API's template rendering and the workers' broadcast fan-out, which picks one of
 * the variants the API rendered per locale.
 */
export function localeChain(requested: string | null | undefined, defaultLocale: string): string[] {
  const chain: string[] = [];
  if (requested) {
    const parts = requested.split(/[-_]/).filter(Boolean);
    for (let n = parts.length; n >= 1; n--) chain.push(parts.slice(0, n).join("-"));
  }
  chain.push(defaultLocale);
  return [...new Set(chain.map((l) => l.toLowerCase()))];
}

/** The first locale in the chain that `has` accepts, as spelled in `available`. */
export function pickLocale(chain: string[], available: string[], has: (locale: string) => boolean): string | undefined {
  const byLower = new Map(available.map((l) => [l.toLowerCase(), l]));
  for (const candidate of chain) {
    const locale = byLower.get(candidate);
    if (locale !== undefined && has(locale)) return locale;
  }
  return undefined;
}
