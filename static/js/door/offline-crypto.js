// The offline dataset's cryptography (the server's side builds the same, in Python): from what a
// gate scans or types, the lookup that finds its entry and the key that opens it. No DOM and no
// storage: WebCrypto only, so node's test runner checks it against the server's test vector.
//
//   value   = the scan, trimmed, upper-cased; a short code ("K7QF3M2X") written with its dash
//   master  = PBKDF2-SHA-256(value, salt, iterations[kind], 256 bits)
//   lookup  = HMAC-SHA-256(master, "eventsys-door-lookup")[:16]      → the entry's [0], base64url
//   aesKey  = HMAC-SHA-256(master, "eventsys-door-key")               → AES-GCM-256
//   details = AES-GCM-decrypt(aesKey, iv = entry[1], additionalData = lookup bytes, entry[2])

const SHORT_CODE = /^[0-9A-Z]{4}-?[0-9A-Z]{4}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** normalise(" k7qf3m2x ") → {value: "K7QF-3M2X", kind: "code"}; anything else is a QR payload. */
export function normalise(raw) {
  const value = String(raw).trim().toUpperCase();
  if (SHORT_CODE.test(value)) {
    const bare = value.replace("-", "");
    return { value: `${bare.slice(0, 4)}-${bare.slice(4)}`, kind: "code" };
  }
  return { value, kind: "qr" };
}

export function toBase64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function hmac(keyBytes, label) {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(label)));
}

/**
 * The secrets of one scanned value under the dataset's kdf ({salt, iterations: {qr, code}, bits}):
 * {kind, lookup (base64url), lookupBytes, key (a CryptoKey for AES-GCM)}. The value itself is not kept.
 */
export async function deriveSecrets(raw, kdf) {
  const { value, kind } = normalise(raw);
  const iterations = kdf.iterations[kind];
  const password = await crypto.subtle.importKey("raw", encoder.encode(value), "PBKDF2", false, ["deriveBits"]);
  const master = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: kdf.hash || "SHA-256", salt: fromBase64url(kdf.salt), iterations },
      password,
      kdf.bits || 256,
    ),
  );
  const lookupBytes = (await hmac(master, "eventsys-door-lookup")).slice(0, 16);
  const keyBytes = await hmac(master, "eventsys-door-key");
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "AES-GCM" }, false, ["decrypt"]);
  return { kind, lookup: toBase64url(lookupBytes), lookupBytes, key };
}

/** The details in an entry ([lookup, iv, ciphertext+tag]) opened with the secrets; null when they do not open it. */
export async function openEntry(entry, secrets) {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64url(entry[1]), additionalData: secrets.lookupBytes },
      secrets.key,
      fromBase64url(entry[2]),
    );
    return JSON.parse(decoder.decode(plain));
  } catch {
    return null;
  }
}

const indexes = new WeakMap(); // a dataset's entries → Map(lookup → entry), built once per dataset

/** The entry whose lookup is `lookup`, or null: from an index of the entries built at the first look-up. */
export function findEntry(entries, lookup) {
  let index = indexes.get(entries);
  if (!index) {
    index = new Map(entries.map((entry) => [entry[0], entry]));
    indexes.set(entries, index);
  }
  return index.get(lookup) || null;
}

/** Everything at once: {lookup, details} for a scan (details null: no such ticket in the dataset). */
export async function unlock(raw, dataset) {
  const secrets = await deriveSecrets(raw, dataset.kdf);
  const entry = findEntry(dataset.entries, secrets.lookup);
  return { lookup: secrets.lookup, details: entry ? await openEntry(entry, secrets) : null };
}
