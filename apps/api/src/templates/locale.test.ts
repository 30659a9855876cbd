import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "../errors.js";
import { canonicalLocale, localeChain, pickLocale } from "./locale.js";

describe("locale fallback", () => {
  test("tries the full tag, then its language, then the default", () => {
    assert.deepEqual(localeChain("pt-BR", "en"), ["pt-br", "pt", "en"]);
    assert.deepEqual(localeChain("zh-Hant-TW", "en"), ["zh-hant-tw", "zh-hant", "zh", "en"]);
    assert.deepEqual(localeChain("en-GB", "en"), ["en-gb", "en"]);
    assert.deepEqual(localeChain(null, "de"), ["de"]);
    assert.deepEqual(localeChain(undefined, "de"), ["de"]);
  });

  test("picks the first candidate that has the channel, as spelled in the content", () => {
    const available = ["en", "ko", "pt-BR"];
    const all = () => true;
    assert.equal(pickLocale(localeChain("ko-KR", "en"), available, all), "ko");
    assert.equal(pickLocale(localeChain("pt-BR", "en"), available, all), "pt-BR");
    assert.equal(pickLocale(localeChain("pt-PT", "en"), available, all), "en");
    assert.equal(pickLocale(localeChain("fr", "en"), available, all), "en");
    // Per channel: ko has no SMS, so a Korean recipient's SMS falls back to the default.
    assert.equal(pickLocale(localeChain("ko-KR", "en"), available, (l) => l !== "ko"), "en");
    assert.equal(pickLocale(localeChain("ko-KR", "en"), available, () => false), undefined);
  });

  test("canonicalizes tags and rejects malformed ones", () => {
    assert.equal(canonicalLocale("pt-br", "locale"), "pt-BR");
    assert.equal(canonicalLocale("EN", "locale"), "en");
    assert.throws(() => canonicalLocale("not a locale!", "locale"), (err: unknown) => err instanceof ApiError && err.extensions.reason === "INVALID_LOCALE");
  });
});
