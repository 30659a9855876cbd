import { InputError } from "../errors.js";

/** "pt-br" → "pt-BR"; the form locales are stored and compared in. */
export function canonicalLocale(locale: string, field: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0]!;
  } catch {
    throw new InputError("INVALID_LOCALE", `${JSON.stringify(locale)} is not a BCP 47 language tag`, field);
  }
}

// One implementation for the API and the workers' broadcast fan-out.
export { localeChain, pickLocale } from "@notify/jobs";
