// The camera: the QR decoder (the native BarcodeDetector when it reads QR codes, else the vendored
// ponyfill with its wasm from our static/), the stream, and the decode loop. A code is handed to
// onCode once, however long the ticket is held in view.

import { say } from "./words.js";

const VENDOR = new URL("../../vendor/", import.meta.url);
const PONYFILL_URL = new URL("barcode-detector/ponyfill.js", VENDOR).href;
const WASM_URL = new URL("zxing-wasm/zxing_reader.wasm", VENDOR).href;

const SAME_CODE_MS = 3000; // a code read less than this long ago is ignored
const FORGET_CODE_MS = 60000;
const DETECT_EVERY_MS = 120;
const FAILURES_TO_GIVE_UP = 20;
const TYPE_INSTEAD = say("type_instead");

/**
 * root: the door element (data-camera, data-decoder); video, frame, status, toggle: the camera's elements;
 * onCode(code): a ticket was read; onStateChange(state): "starting", "on", "off" or "unavailable".
 */
export function createCamera({ root, video, frame, status, toggle, onCode, onStateChange }) {
  let decoderPromise = null;
  const camera = { stream: null, detector: null, timer: 0, running: false, failures: 0 };
  const lastSeen = new Map(); // code -> when the camera last read it

  function loadDecoder() {
    decoderPromise =
      decoderPromise ||
      (async () => {
        if ("BarcodeDetector" in window) {
          try {
            const formats = await window.BarcodeDetector.getSupportedFormats();
            if (formats.includes("qr_code")) {
              root.dataset.decoder = "native";
              return new window.BarcodeDetector({ formats: ["qr_code"] });
            }
          } catch {
            // fall through to the ponyfill
          }
        }
        const ponyfill = await import(PONYFILL_URL);
        await ponyfill.prepareZXingModule({
          overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM_URL : prefix + path) },
          fireImmediately: true,
        });
        root.dataset.decoder = "zxing-wasm";
        return new ponyfill.BarcodeDetector({ formats: ["qr_code"] });
      })();
    return decoderPromise;
  }

  function setState(state, message) {
    root.dataset.camera = state;
    status.textContent = message;
    frame.hidden = state !== "on";
    toggle.hidden = state === "unavailable" || state === "starting";
    toggle.textContent = state === "on" ? say("stop_camera") : say("start_camera");
    onStateChange(state);
  }

  async function start() {
    const decoder = loadDecoder(); // in parallel with the camera
    decoder.catch(() => {});
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      const why = window.isSecureContext ? say("no_camera_access") : say("needs_https");
      setState("unavailable", `${why} ${TYPE_INSTEAD}`);
      return;
    }
    setState("starting", say("starting_camera"));
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch (error) {
      const why =
        error && error.name === "NotAllowedError"
          ? say("camera_refused")
          : error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")
            ? say("no_camera")
            : say("camera_not_started");
      setState("off", `${why} ${TYPE_INSTEAD}`);
      return;
    }
    video.srcObject = camera.stream;
    await video.play().catch(() => {});
    try {
      camera.detector = await decoder;
    } catch {
      stop();
      setState("unavailable", `${say("no_decoder")} ${TYPE_INSTEAD}`);
      return;
    }
    if (!camera.stream) return; // stopped meanwhile
    setState("on", say("camera_on"));
    camera.running = true;
    camera.failures = 0;
    clearTimeout(camera.timer);
    camera.timer = setTimeout(detectLoop, 0);
  }

  function stop() {
    camera.running = false;
    clearTimeout(camera.timer);
    if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
    camera.stream = null;
    video.srcObject = null;
  }

  /** The toggle button: stop a running camera, start a stopped one. */
  function startOrStop() {
    if (camera.stream) {
      stop();
      setState("off", say("camera_stopped"));
    } else {
      start();
    }
  }

  async function detectLoop() {
    if (!camera.running) return;
    if (!document.hidden && video.readyState >= 2 && video.videoWidth > 0) {
      try {
        const found = await camera.detector.detect(video);
        camera.failures = 0;
        for (const barcode of found) read(barcode.rawValue);
      } catch {
        camera.failures += 1;
        if (camera.failures === FAILURES_TO_GIVE_UP) {
          stop();
          setState("off", `${say("cannot_decode")} ${TYPE_INSTEAD}`);

          return;
        }
      }
    }
    if (camera.running) camera.timer = setTimeout(detectLoop, DETECT_EVERY_MS);
  }

  function read(raw) {
    const code = (raw || "").trim();
    if (!code) return;
    const now = Date.now();
    const seen = lastSeen.get(code);
    lastSeen.set(code, now); // a ticket held in view keeps counting as "just read"
    if (seen !== undefined && now - seen < SAME_CODE_MS) return;
    for (const [other, at] of lastSeen) if (now - at > FORGET_CODE_MS) lastSeen.delete(other);
    frame.classList.remove("camera-hit");
    void frame.offsetWidth; // restart the flash
    frame.classList.add("camera-hit");
    onCode(code);
  }

  return { start, stop, startOrStop };
}
