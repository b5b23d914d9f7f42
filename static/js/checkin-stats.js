// Live check-in numbers on the organizer's page: polls the stats and redraws the arrivals chart.
(function () {
  "use strict";
  const root = document.getElementById("checkin-stats");
  if (!root) return;
  const chart = document.getElementById("arrivals-chart");
  const SVG = "http://www.w3.org/2000/svg";

  function drawArrivals(arrivals) {
    while (chart.firstChild) chart.removeChild(chart.firstChild);
    if (!arrivals.length) return;
    const bucketMs = 5 * 60 * 1000;
    const first = Date.parse(arrivals[0].start);
    const last = Date.parse(arrivals[arrivals.length - 1].start);
    const slots = Math.min(Math.round((last - first) / bucketMs) + 1, 288);
    const counts = new Array(slots).fill(0);
    for (const a of arrivals) {
      const slot = Math.round((Date.parse(a.start) - first) / bucketMs) - Math.max(0, Math.round((last - first) / bucketMs) + 1 - slots);
      if (slot >= 0 && slot < slots) counts[slot] = a.count;
    }
    const max = Math.max(...counts, 1);
    const width = 600 / slots;
    counts.forEach(function (count, i) {
      const height = (count / max) * 150;
      const bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("x", String(i * width + width * 0.1));
      bar.setAttribute("y", String(160 - height));
      bar.setAttribute("width", String(width * 0.8));
      bar.setAttribute("height", String(height));
      bar.setAttribute("class", "bar");
      const title = document.createElementNS(SVG, "title");
      title.textContent = new Date(first + i * bucketMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: root.dataset.timezone }) + ": " + count;
      bar.appendChild(title);
      chart.appendChild(bar);
    });
  }

  function fillTable(id, rows, cells) {
    const body = document.querySelector("#" + id + " tbody");
    if (!body || !rows.length) return;
    body.replaceChildren(...rows.map(function (row) {
      const tr = document.createElement("tr");
      for (const text of cells(row)) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      return tr;
    }));
  }

  function show(stats) {
    for (const el of root.querySelectorAll("[data-stat]")) el.textContent = stats[el.dataset.stat];
    drawArrivals(stats.arrivals);
    document.getElementById("arrivals-summary").textContent = stats.arrivals_summary;
    fillTable("by-ticket-type", stats.by_ticket_type, function (r) { return [r.name, r.checked_in + " / " + r.confirmed, r.inside]; });
    fillTable("by-gate", stats.by_gate, function (r) { return [r.gate || "—", r.checked_in]; });
  }

  drawArrivals(JSON.parse(document.getElementById("arrivals-data").textContent));
  setInterval(function () {
    fetch(root.dataset.statsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (stats) { if (stats) show(stats); })
      .catch(function () { /* offline: keep the last numbers */ });
  }, 10000);
})();
