-- wrk script: MONARC-style GET /api/v1/stats/ with a JSON body for one analysis.
-- Environment: STATS_TOKEN, STATS_ANR.
local token = os.getenv("STATS_TOKEN")
local anr = os.getenv("STATS_ANR")
wrk.method = "GET"
wrk.path = "/api/v1/stats/"
wrk.headers["X-API-KEY"] = token
wrk.headers["User-Agent"] = "MONARC/2.14.1"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"threat","anr":"' .. anr .. '","date_from":"2000-01-01"}'

function done(summary, latency, requests)
  io.write(string.format("non-2xx: %d, errors: connect %d read %d write %d timeout %d\n",
    summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
