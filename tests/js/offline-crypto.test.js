// The door's offline cryptography against the server's test vector (tests/js/offline-vector.json,
// made in Python): the same lookup, and the entry opens to the same details.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { deriveSecrets, findEntry, fromBase64url, normalise, openEntry, toBase64url, unlock } from "../../static/js/door/offline-crypto.js";

const vector = JSON.parse(readFileSync(new URL("./offline-vector.json", import.meta.url), "utf8"));
const kdf = { name: "PBKDF2", hash: "SHA-256", salt: vector.salt, iterations: vector.iterations, bits: 256 };
const dataset = { kdf, entries: [vector.qr.entry, vector.code.entry].sort((a, b) => (a[0] < b[0] ? -1 : 1)) };

test("a short code is upper-cased and written with its dash; anything else is a QR payload", () => {
  assert.deepEqual(normalise(" k7qf3m2x "), { value: "K7QF-3M2X", kind: "code" });
  assert.deepEqual(normalise("K7QF-3M2X"), { value: "K7QF-3M2X", kind: "code" });
  assert.deepEqual(normalise("abcdefghijklmnopqrstuvwxyz234567\n"), { value: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", kind: "qr" });
  assert.equal(normalise("K7QF--3M2X").kind, "qr");
  assert.equal(normalise("K7QF3M2").kind, "qr");
});

test("base64url both ways, without padding", () => {
  const bytes = Uint8Array.from([251, 255, 0, 1, 2]);
  assert.equal(toBase64url(bytes), "-_8AAQI");
  assert.deepEqual(fromBase64url("-_8AAQI"), bytes);
});

test("the QR payload's lookup and details are the server's", async () => {
  const secrets = await deriveSecrets(vector.qr.value, kdf);
  assert.equal(secrets.kind, "qr");
  assert.equal(secrets.lookup, vector.qr.lookup);
  assert.deepEqual(await openEntry(vector.qr.entry, secrets), vector.qr.plaintext);
});

test("the short code's lookup and details are the server's, however it is typed", async () => {
  for (const typed of [vector.code.value, "k7qf3m2x", " K7QF3M2X "]) {
    const secrets = await deriveSecrets(typed, kdf);
    assert.equal(secrets.kind, "code");
    assert.equal(secrets.lookup, vector.code.lookup, typed);
    assert.deepEqual(await openEntry(vector.code.entry, secrets), vector.code.plaintext);
  }
});

test("unlock finds the entry; an unknown code finds none; a wrong key opens nothing", async () => {
  assert.equal((await unlock(vector.qr.value.toLowerCase(), dataset)).details.name, "李伟 Li Wei");
  const unknown = await unlock("ZZZZ-ZZZZ", dataset);
  assert.equal(unknown.details, null);
  assert.match(unknown.lookup, /^[A-Za-z0-9_-]{22}$/);
  const other = await deriveSecrets("ZZZZ-ZZZZ", kdf);
  assert.equal(await openEntry(vector.code.entry, { ...other, lookupBytes: fromBase64url(vector.code.lookup) }), null);
  const tampered = [...vector.qr.entry];
  tampered[2] = `${tampered[2].slice(0, -2)}AA`;
  assert.equal(await openEntry(tampered, await deriveSecrets(vector.qr.value, kdf)), null);
});

test("findEntry finds an entry by its lookup, in any order", () => {
  const entries = ["c", "a", "g", "e"].map((k) => [k, "", ""]);
  for (const key of ["a", "c", "e", "g"]) assert.equal(findEntry(entries, key)[0], key);
  assert.equal(findEntry(entries, "d"), null);
  assert.equal(findEntry([], "d"), null);
});
