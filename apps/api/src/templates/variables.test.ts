import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError } from "../errors.js";
import type { TemplateVariable } from "./template-content.js";
import { templateScope } from "./variables.js";

const variables: TemplateVariable[] = [
  { name: "name", type: "STRING", required: true },
  { name: "total", type: "NUMBER", required: true },
  { name: "gift", type: "BOOLEAN", required: false },
  { name: "due", type: "DATE", required: false },
  { name: "link", type: "URL", required: false },
  { name: "contact", type: "EMAIL", required: false },
];

function rejection(data: Record<string, unknown> | undefined): ApiError {
  try {
    templateScope(variables, data, "template.data");
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err;
  }
  assert.fail("expected TEMPLATE_VARIABLES");
}

describe("template variables", () => {
  test("the scope holds exactly the declared variables, absent optional ones as null", () => {
    const scope = templateScope(variables, { name: "Ada", total: 42.5, gift: false, link: "https://example.com/o/1" }, "template.data");
    assert.deepEqual(scope, { name: "Ada", total: 42.5, gift: false, due: null, link: "https://example.com/o/1", contact: null });
  });

  test("accepts each type's valid values", () => {
    for (const due of ["2024-05-31", "2024-05-31T09:00:00Z", "2024-05-31T09:00:00.123+09:00"])
      assert.equal(templateScope(variables, { name: "A", total: 0, due }, "d").due, due);
    assert.equal(templateScope(variables, { name: "A", total: -1, contact: "grace@example.com" }, "d").contact, "grace@example.com");
  });

  test("lists every missing, mistyped and unknown variable at once, with reason and field", () => {
    const err = rejection({ total: "12", gift: "yes", due: "tomorrow", link: "javascript:alert(1)", contact: "nope", nmae: "Ada" });
    assert.equal(err.extensions.reason, "TEMPLATE_VARIABLES");
    assert.equal(err.extensions.field, "template.data");
    for (const name of ["name is required", "total must be a number", "gift must be true or false", "due must be an ISO 8601 date", "link must be an http(s) URL", "contact must be an email address", "nmae is not a variable"])
      assert.ok(err.message.includes(name), `${JSON.stringify(name)} in ${err.message}`);
    assert.equal(err.message.split(";").length, 7);
  });

  test("null counts as missing; NaN and Infinity are not numbers", () => {
    assert.match(rejection({ name: null, total: 1 }).message, /name is required/);
    assert.match(rejection({ name: "A", total: Number.POSITIVE_INFINITY }).message, /total must be a number/);
    assert.match(rejection(undefined).message, /name is required \(STRING\); total is required \(NUMBER\)/);
  });
});
