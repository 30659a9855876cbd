import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "../errors.js";
import { CompiledTemplateCache } from "./compiled-cache.js";
import { parseDefinition } from "./definition.js";
import { renderChannel, type RenderRequest } from "./render.js";
import { templateScope } from "./variables.js";

const content = {
  en: {
    EMAIL: {
      subject: "Order {{ order }} for {{ name }}",
      html: "<p>Hi {{ name }}, {% if gift %}a gift!{% endif %} <a href=\"{{ link }}\">track</a> {{ note | raw }}</p>",
      text: "Hi {{ name }}, track at {{ link }}",
    },
    SMS: { text: "{{ name }}: order {{ order }} shipped <3" },
    IOS_PUSH: { title: "Shipped", body: "{{ name | upcase }}", data: { order: "{{ order }}", screen: "orders" } },
    WEB_PUSH: { title: "Shipped", body: "Order {{ order }}", url: "{{ link }}" },
  },
  ko: { EMAIL: { subject: "{{ name }}님, 주문 {{ order }}", text: "배송 시작" } },
  "pt-BR": { SMS: { text: "{{ name }}: pedido {{ order }} enviado" } },
};
const variables = [
  { name: "name", type: "STRING", required: true },
  { name: "order", type: "NUMBER", required: true },
  { name: "gift", type: "BOOLEAN", required: false },
  { name: "link", type: "URL", required: false },
  { name: "note", type: "STRING", required: false },
];
const def = parseDefinition(content, variables, "en");

function request(data: Record<string, unknown>, locale: string | null = null): RenderRequest {
  return { compiled: def.compiled, defaultLocale: "en", locale, scope: templateScope(def.variables, data, "template.data"), field: "template.data" };
}

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err.extensions.reason as string;
  }
  return undefined;
}

describe("rendering", () => {
  const xss = "<script>alert(1)</script>";

  test("email: html is escaped, subject and text are not", () => {
    const r = renderChannel("EMAIL", request({ name: xss, order: 42, gift: true, link: "https://x.test/?a=1&b=2" }));
    assert.equal(r.locale, "en");
    assert.equal(r.content.subject, `Order 42 for ${xss}`);
    assert.equal(r.content.body, `Hi ${xss}, track at https://x.test/?a=1&b=2`);
    assert.equal(
      r.content.html,
      '<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;, a gift! <a href="https://x.test/?a=1&amp;b=2">track</a> </p>',
    );
    assert.deepEqual(Object.keys(r.content).sort(), ["body", "html", "subject"]);
  });

  test("`| raw` is the template author's explicit opt-out of escaping", () => {
    const r = renderChannel("EMAIL", request({ name: "A", order: 1, note: "<b>bold</b>" }));
    assert.match(String(r.content.html), /<b>bold<\/b><\/p>$/);
  });

  test("SMS and push are plain text; push data is rendered per key", () => {
    assert.deepEqual(renderChannel("SMS", request({ name: "A&B", order: 7 })).content, { body: "A&B: order 7 shipped <3" });
    const push = renderChannel("IOS_PUSH", request({ name: "ada", order: 7 }));
    assert.deepEqual(push.content, { title: "Shipped", body: "ADA" });
    assert.deepEqual(push.data, { order: "7", screen: "orders" });
    assert.deepEqual(renderChannel("WEB_PUSH", request({ name: "a", order: 7, link: "https://x.test/o/7" })).content, {
      title: "Shipped",
      body: "Order 7",
      url: "https://x.test/o/7",
    });
  });

  test("locale fallback is per channel", () => {
    const data = { name: "민수", order: 3 };
    assert.equal(renderChannel("EMAIL", request(data, "ko-KR")).content.subject, "민수님, 주문 3");
    // ko has no SMS: the default's.
    assert.equal(renderChannel("SMS", request(data, "ko-KR")).locale, "en");
    assert.equal(renderChannel("SMS", request(data, "pt-BR")).content.body, "민수: pedido 3 enviado");
    assert.equal(renderChannel("SMS", request(data, "pt-PT")).locale, "en");
    assert.equal(renderChannel("EMAIL", request(data, "fr")).locale, "en");
  });

  test("a channel the template lacks in every candidate locale → TEMPLATE_CHANNEL_MISSING naming it", () => {
    try {
      renderChannel("ANDROID_PUSH", request({ name: "a", order: 1 }));
      assert.fail("expected an error");
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.extensions.reason, "TEMPLATE_CHANNEL_MISSING");
      assert.match(err.message, /ANDROID_PUSH/);
    }
  });

  test("rendered content gets the inline limits (SMS length, push payload size)", () => {
    // 10 GSM-7 segments (the default SMS_MAX_SEGMENTS) hold 1530 characters.
    const long = parseDefinition({ en: { SMS: { text: "{% for i in (1..306) %}{{ w }}{% endfor %}" } } }, [{ name: "w", type: "STRING", required: true }], "en");
    const req = { compiled: long.compiled, defaultLocale: "en", locale: null, field: "template.data" };
    assert.equal(renderChannel("SMS", { ...req, scope: { w: "abcde" } }).content.body?.toString().length, 1530);
    try {
      renderChannel("SMS", { ...req, scope: { w: "abcdef" } });
      assert.fail("expected PAYLOAD_TOO_LARGE");
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.extensions.reason, "PAYLOAD_TOO_LARGE");
      assert.equal(err.extensions.field, "template.data");
    }
  });

  test("a nested lookup on a value fails the render instead of printing nothing", () => {
    const nested = parseDefinition({ en: { SMS: { text: "{{ name.first }}" } } }, [{ name: "name", type: "STRING", required: true }], "en");
    assert.equal(reasonOf(() => renderChannel("SMS", { compiled: nested.compiled, defaultLocale: "en", locale: null, scope: { name: "x" }, field: "f" })), "TEMPLATE_RENDER");
  });
});

describe("template definitions", () => {
  const vars = [{ name: "name", type: "STRING", required: true }];

  test("every variable used must be declared; loop variables and assigns are local", () => {
    const err = (() => {
      try {
        parseDefinition({ en: { SMS: { text: "{{ name }} {{ coupon }}" }, EMAIL: { subject: "{{ coupon }} {{ order }}", text: "x" } } }, vars, "en");
      } catch (e) {
        return e as ApiError;
      }
    })();
    assert.ok(err instanceof ApiError);
    assert.equal(err.extensions.reason, "TEMPLATE_UNDECLARED_VARIABLE");
    assert.match(err.message, /coupon \(in en\.EMAIL\.subject, en\.SMS\.text\)/);
    assert.match(err.message, /order \(in en\.EMAIL\.subject\)/);
    parseDefinition({ en: { SMS: { text: "{% assign n = name | upcase %}{{ n }}{% for c in (1..3) %}{{ c }}{% endfor %}" } } }, vars, "en");
  });

  test("syntax errors, unknown filters and file tags are refused at save time, naming the field", () => {
    const reason = (text: string) => reasonOf(() => parseDefinition({ en: { SMS: { text } } }, vars, "en"));
    assert.equal(reason("{{ name "), "TEMPLATE_SYNTAX");
    assert.equal(reason("{{ name | no_such_filter }}"), "TEMPLATE_SYNTAX");
    assert.equal(reason("{% include '/etc/passwd' %}"), "TEMPLATE_SYNTAX");
    assert.equal(reason("{% render 'x' %}"), "TEMPLATE_SYNTAX");
    assert.equal(reason("{% layout 'x' %}"), "TEMPLATE_SYNTAX");
  });

  test("the shape is validated: channels, fields, variable types, default locale", () => {
    const reason = (c: unknown, v: unknown = vars, d = "en") => reasonOf(() => parseDefinition(c, v, d));
    assert.equal(reason({ en: { EMAIL: { subject: "s" } } }), "INVALID_TEMPLATE", "email without html or text");
    assert.equal(reason({ en: { FAX: { text: "x" } } }), "INVALID_TEMPLATE", "unknown channel");
    assert.equal(reason({ en: { SMS: { text: "x", subject: "y" } } }), "INVALID_TEMPLATE", "unknown field");
    assert.equal(reason({ en: {} }), "INVALID_TEMPLATE", "a locale with no channel");
    assert.equal(reason({}), "INVALID_TEMPLATE", "no locales");
    assert.equal(reason({ en: { SMS: { text: "x" } } }, [{ name: "a", type: "DATETIME", required: true }]), "INVALID_TEMPLATE");
    assert.equal(reason({ en: { SMS: { text: "x" } } }, [{ name: "a", type: "STRING" }, { name: "a", type: "NUMBER" }]), "INVALID_TEMPLATE");
    assert.equal(reason({ en: { SMS: { text: "x" } } }, [{ name: "user.name", type: "STRING" }]), "INVALID_TEMPLATE");
    assert.equal(reason({ ko: { SMS: { text: "x" } } }), "TEMPLATE_DEFAULT_LOCALE_MISSING");
    assert.equal(reason({ en: { SMS: { text: "x" } }, EN: { SMS: { text: "y" } } }), "DUPLICATE_LOCALE");
    assert.equal(reason({ "not a tag": { SMS: { text: "x" } }, en: { SMS: { text: "y" } } }), "INVALID_LOCALE");
  });

  test("locale keys are stored canonical, and `required` defaults to true", () => {
    const d = parseDefinition({ en: { SMS: { text: "a" } }, "pt-br": { SMS: { text: "b" } } }, [{ name: "x", type: "STRING" }], "en");
    assert.deepEqual(Object.keys(d.content), ["en", "pt-BR"]);
    assert.equal(d.variables[0]!.required, true);
  });
});

describe("compiled template cache", () => {
  test("published versions are parsed once; drafts on every use", () => {
    const cache = new CompiledTemplateCache(2);
    const v = (id: string, state: "DRAFT" | "PUBLISHED" | "ARCHIVED") => ({ id, state, content: { en: { SMS: { text: "hi {{ name }}" } } } });
    const first = cache.get(v("a", "PUBLISHED"));
    assert.equal(cache.get(v("a", "PUBLISHED")), first);
    assert.notEqual(cache.get(v("d", "DRAFT")), cache.get(v("d", "DRAFT")));
    assert.equal(cache.size, 1);
    cache.get(v("b", "ARCHIVED"));
    cache.get(v("a", "PUBLISHED")); // a is now the most recently used
    cache.get(v("c", "PUBLISHED"));
    assert.equal(cache.size, 2);
    assert.equal(cache.get(v("a", "PUBLISHED")), first, "the least recently used (b) was evicted, not a");
  });
});
