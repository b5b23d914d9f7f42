-- wrk's report for the runners in bench/: latency percentiles, count of answers, non-2xx.
-- No response() callback: parsing every answer in Lua costs wrk CPU that the server then lacks.
-- Verdicts are counted in the database afterwards; wrk counts non-2xx answers itself.
function done(summary, latency, requests)
  io.write(string.format("NON2XX %d\n", summary.errors.status))
  io.write(string.format("LATENCY p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("SUMMARY requests=%d duration_s=%.2f\n", summary.requests, summary.duration / 1e6))
end
