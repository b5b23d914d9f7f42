// Requests to the door page's endpoints: JSON both ways, the CSRF token, a time limit, and the
// server's clock read from the Date header of its answers, so that scans are stamped in its time.

import { say } from "./words.js";

const REQUEST_TIMEOUT_MS = 8000; // a scan not answered by then is kept and sent again later

export function createClient(csrfToken) {
  let clockOffsetMs = 0; // the server's clock minus ours

  /**
   * fetch() with a time limit; resolves to {status, data, etag} (data: parsed JSON or null), throws
   * on network failure. headers: more request headers (If-None-Match).
   */
  async function request(url, { method = "GET", body, timeout = REQUEST_TIMEOUT_MS, headers: more = {} } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    try {
      const headers = { Accept: "application/json", ...more };
      if (method !== "GET") {
        headers["Content-Type"] = "application/json";
        headers["X-CSRFToken"] = csrfToken;
      }
      const response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
      const serverDate = Date.parse(response.headers.get("Date") || "");
      if (!Number.isNaN(serverDate)) clockOffsetMs = serverDate + 500 - Date.now(); // the header drops the milliseconds
      let data = null;
      if ((response.headers.get("Content-Type") || "").includes("json")) {
        data = await response.json().catch(() => null);
      }
      return { status: response.status, data, etag: response.headers.get("ETag") };
    } finally {
      clearTimeout(timer);
    }
  }

  /** A fresh CSRF token (the door state's): a page reopened offline from the cache carries an old one. */
  function setCsrfToken(token) {
    if (typeof token === "string" && token) csrfToken = token;
  }

  return { request, setCsrfToken, serverNow: () => new Date(Date.now() + clockOffsetMs) };
}

/** An answer that is not a verdict, in words for the gate: the server's own message when it sent one. */
export function errorMessage(result) {
  const error = result.data && result.data.error;
  if (error) {
    const fields = Object.values(error.fields || {}).flat();
    return fields.length ? fields.join(" ") : error.message;
  }
  if ([401, 403, 404].includes(result.status)) {
    return say("signed_out");
  }
  if (result.status === 400) return say("expired");
  if (result.status === 429) return say("too_many");
  return say("server_problem", { status: result.status });

}
