// Copy the door page's browser dependencies from node_modules/ (after `npm ci`) into static/vendor/,
// so the app serves them itself: no CDN at run time, which venues with bad networks cannot count on.
//
//   static/vendor/barcode-detector/ponyfill.js, zxing-exported.js   the BarcodeDetector ponyfill (ESM)
//   static/vendor/zxing-wasm/zxing_reader.wasm                      the decoder it runs, the version it pins
//
// Run by `make assets`; fails when the wasm is not the one barcode-detector was built for.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

const detectorDir = join(modules, "barcode-detector");
const detector = JSON.parse(readFileSync(join(detectorDir, "package.json"), "utf8"));
const pinned = detector.dependencies["zxing-wasm"];

// npm puts barcode-detector's own zxing-wasm beside it unless another package wants a different one.
const nested = join(detectorDir, "node_modules", "zxing-wasm");
const zxingDir = existsSync(nested) ? nested : join(modules, "zxing-wasm");
const zxing = JSON.parse(readFileSync(join(zxingDir, "package.json"), "utf8"));
if (zxing.version !== pinned) {
  throw new Error(`barcode-detector ${detector.version} pins zxing-wasm ${pinned}, but ${zxingDir} holds ${zxing.version}`);
}

const ponyfill = join(detectorDir, "dist", "es", "ponyfill.js");
const { ZXING_WASM_VERSION, ZXING_WASM_SHA256 } = await import(pathToFileURL(ponyfill).href);
const wasm = join(zxingDir, "dist", "reader", "zxing_reader.wasm");
const digest = createHash("sha256").update(readFileSync(wasm)).digest("hex");
if (ZXING_WASM_VERSION !== zxing.version || digest !== ZXING_WASM_SHA256) {
  throw new Error(`${wasm} (sha256 ${digest}) is not the zxing-wasm ${ZXING_WASM_VERSION} barcode-detector expects`);
}

rmSync(vendor, { recursive: true, force: true });
const copies = [
  [join(detectorDir, "dist", "es", "ponyfill.js"), join(vendor, "barcode-detector", "ponyfill.js")],
  [join(detectorDir, "dist", "es", "zxing-exported.js"), join(vendor, "barcode-detector", "zxing-exported.js")],
  [join(detectorDir, "LICENSE"), join(vendor, "barcode-detector", "LICENSE")],
  [wasm, join(vendor, "zxing-wasm", "zxing_reader.wasm")],
  [join(zxingDir, "LICENSE"), join(vendor, "zxing-wasm", "LICENSE")],
];
for (const [from, to] of copies) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
writeFileSync(
  join(vendor, "VERSIONS.txt"),
  `barcode-detector ${detector.version}\nzxing-wasm ${zxing.version} (zxing_reader.wasm sha256 ${digest})\n`,
);
console.log(`static/vendor: barcode-detector ${detector.version}, zxing-wasm ${zxing.version}`);
