import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { countSmsSegments } from "./sms-segments.js";

describe("countSmsSegments", () => {
  test("GSM-7: 160 characters fit one segment, 161 need two parts of 153", () => {
    assert.deepEqual(countSmsSegments(""), { encoding: "GSM-7", segments: 1 });
    assert.deepEqual(countSmsSegments("a".repeat(160)), { encoding: "GSM-7", segments: 1 });
    assert.deepEqual(countSmsSegments("a".repeat(161)), { encoding: "GSM-7", segments: 2 });
    assert.deepEqual(countSmsSegments("a".repeat(200)), { encoding: "GSM-7", segments: 2 });
    assert.deepEqual(countSmsSegments("a".repeat(306)), { encoding: "GSM-7", segments: 2 });
    assert.deepEqual(countSmsSegments("a".repeat(307)), { encoding: "GSM-7", segments: 3 });
  });

  test("GSM-7 accented letters and symbols of the basic table stay GSM-7", () => {
    assert.deepEqual(countSmsSegments("Café à Zürich: 5£ @ 10:00, ¿qué? Ñ§ÆΩ\n"), { encoding: "GSM-7", segments: 1 });
  });

  test("extension characters cost two septets and never straddle two parts", () => {
    assert.deepEqual(countSmsSegments("€".repeat(80)), { encoding: "GSM-7", segments: 1 });
    assert.deepEqual(countSmsSegments("€".repeat(81)), { encoding: "GSM-7", segments: 2 });
    assert.deepEqual(countSmsSegments("a".repeat(159) + "{"), { encoding: "GSM-7", segments: 2 });
    // 152 septets then an escape pair: 154 > 153, so the pair opens the second part.
    assert.deepEqual(countSmsSegments("a".repeat(152) + "[" + "a".repeat(151)), { encoding: "GSM-7", segments: 2 });
    assert.deepEqual(countSmsSegments("a".repeat(152) + "[" + "a".repeat(152)), { encoding: "GSM-7", segments: 3 });
  });

  test("any character outside GSM-7 switches the whole body to UCS-2 (70 / 67)", () => {
    assert.deepEqual(countSmsSegments("가".repeat(70)), { encoding: "UCS-2", segments: 1 });
    assert.deepEqual(countSmsSegments("가".repeat(71)), { encoding: "UCS-2", segments: 2 });
    assert.deepEqual(countSmsSegments("가".repeat(134)), { encoding: "UCS-2", segments: 2 });
    assert.deepEqual(countSmsSegments("가".repeat(135)), { encoding: "UCS-2", segments: 3 });
    assert.deepEqual(countSmsSegments("a".repeat(100) + "ç"), { encoding: "UCS-2", segments: 2 });
  });

  test("a surrogate pair counts two units and is not split across parts", () => {
    assert.deepEqual(countSmsSegments("😀".repeat(35)), { encoding: "UCS-2", segments: 1 });
    assert.deepEqual(countSmsSegments("😀".repeat(36)), { encoding: "UCS-2", segments: 2 });
    // 66 units then a pair: 68 > 67, so the emoji starts part two.
    assert.deepEqual(countSmsSegments("가".repeat(66) + "😀" + "가".repeat(65)), { encoding: "UCS-2", segments: 2 });
    assert.deepEqual(countSmsSegments("가".repeat(66) + "😀" + "가".repeat(66)), { encoding: "UCS-2", segments: 3 });
  });
});
