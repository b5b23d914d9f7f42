// The door verdict's look without a browser: which results are green, amber or red, and the big
// word and glyph each gets in the page's language. Run with `node --test tests/js/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

// The door config the server puts in the page (DOOR_WORDS), as words.js reads it: here in Chinese.
const WORDS = { verdict_ok: "通过", verdict_not_ok: "不通过", verdict_warning: "注意", verdict_not_checked: "未核验" };
globalThis.document = { getElementById: () => ({ textContent: JSON.stringify({ words: WORDS }) }) };
const { verdictKind, verdictLook } = await import("../../static/js/door/display.js");
const { canSearch } = await import("../../static/js/door/lookup.js");

describe("verdictKind", () => {
  test("an admission is green, an admitted exit blue", () => {
    assert.equal(verdictKind("ok", "in"), "ok");
    assert.equal(verdictKind("ok", undefined), "ok");
    assert.equal(verdictKind("ok", "out"), "out");
  });

  test("a real ticket seen again is amber: the door staff decide", () => {
    assert.equal(verdictKind("already_checked_in", "in"), "warn");
    assert.equal(verdictKind("not_inside", "out"), "warn");
  });

  test("every other refusal is red, a result this page does not know yet too", () => {
    for (const result of ["invalid", "wrong_event", "cancelled", "not_confirmed", "rejected", "something_new"]) {
      assert.equal(verdictKind(result, "in"), "bad", result);
    }
  });
});

describe("verdictLook", () => {
  test("each look has its own word and glyph, in the page's language", () => {
    assert.deepEqual(verdictLook("ok"), { word: "通过", glyph: "✓" });
    assert.deepEqual(verdictLook("out"), { word: "通过", glyph: "←" });
    assert.deepEqual(verdictLook("warn"), { word: "注意", glyph: "!" });
    assert.deepEqual(verdictLook("bad"), { word: "不通过", glyph: "✕" });
    assert.deepEqual(verdictLook("queued"), { word: "未核验", glyph: "↻" });
  });

  test("amber and red never share a word or a glyph", () => {
    const [warn, bad] = [verdictLook("warn"), verdictLook("bad")];
    assert.notEqual(warn.word, bad.word);
    assert.notEqual(warn.glyph, bad.glyph);
  });

  test("waiting for an answer is no verdict", () => {
    assert.equal(verdictLook("busy"), null);
  });
});

describe("canSearch", () => {
  test("one Chinese character is a name to look up, one Latin letter is not", () => {
    assert.equal(canSearch("王"), true);
    assert.equal(canSearch("김"), true);
    assert.equal(canSearch("w"), false);
    assert.equal(canSearch("1"), false);
    assert.equal(canSearch(""), false);
    assert.equal(canSearch("wa"), true);
  });
});
