-- wrk script: the mixed traffic of bench/load.sh, as MONARC and browsers send it.
--   ingest     POST /api/v1/stats/ — one threat stats of a new analysis
--   list       GET /api/v1/stats/ with a JSON body (MONARC's way)
--   processed  GET /api/v1/stats/processed/ with a JSON body
--   public     GET /stats/threats.json (the dashboard)
--   me         GET /api/v1/client/me
-- Environment: STATS_TOKEN (a client's token), STATS_ANR (one of its analyses),
-- STATS_KINDS (comma-separated subset, default all), STATS_REPORT (a file for the
-- JSON report: requests, socket errors, answers that are not 2xx/3xx, latency
-- percentiles, requests sent of each kind).
local token = os.getenv("STATS_TOKEN")
local anr = os.getenv("STATS_ANR")
local report_path = os.getenv("STATS_REPORT")
local wanted = os.getenv("STATS_KINDS") or "ingest,list,processed,public,me"

-- Relative weights: mostly reads, as a dashboard and MONARC's daily checks make.
local weights = {ingest = 2, list = 4, processed = 2, public = 3, me = 1}

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local function uuid4()
  local t = {}
  for i = 1, 32 do t[i] = string.format("%x", math.random(0, 15)) end
  t[13] = "4"
  t[17] = string.format("%x", 8 + math.random(0, 3))
  local s = table.concat(t)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" ..
         s:sub(17, 20) .. "-" .. s:sub(21, 32)
end

local kinds = {}
-- Threats come from MONARC's catalogue: a few dozen uuids shared by every analysis.
local catalogue = {}
local headers = {
  ["X-API-KEY"] = token, ["User-Agent"] = "MONARC/2.14.1",
  ["Content-Type"] = "application/json",
}

function init(args)
  for kind in wanted:gmatch("[^,]+") do
    for _ = 1, weights[kind] do table.insert(kinds, kind) end
  end
  counts = {}
  for kind in pairs(weights) do counts[kind] = 0 end
  math.randomseed(42) -- the same catalogue in every thread
  for i = 1, 40 do catalogue[i] = uuid4() end
  math.randomseed(os.time() * 1000 + id)
end

local bodies = {
  list = '{"type":"threat","anr":"' .. anr .. '","date_from":"2000-01-01"}',
  processed = '{"type":"threat","processor":"threat_average_on_date","anrs":["' .. anr .. '"]}',
}

local function ingest_body()
  return '[{"anr":"' .. uuid4() .. '","type":"threat","date":"2026-05-18","data":[' ..
         '{"uuid":"' .. catalogue[math.random(#catalogue)] .. '","label1":"Erreur",' ..
         '"label2":"Error","label3":null,' ..
         '"label4":null,"maxRisk":' .. math.random(0, 20) .. ',"count":' .. math.random(1, 9) ..
         ',"averageRate":"' .. math.random(0, 4) .. '.50"}]}]'
end

function request()
  local kind = kinds[math.random(#kinds)]
  counts[kind] = counts[kind] + 1
  if kind == "ingest" then
    return wrk.format("POST", "/api/v1/stats/", headers, ingest_body())
  elseif kind == "list" then
    return wrk.format("GET", "/api/v1/stats/", headers, bodies.list)
  elseif kind == "processed" then
    return wrk.format("GET", "/api/v1/stats/processed/", headers, bodies.processed)
  elseif kind == "public" then
    return wrk.format("GET", "/stats/threats.json", {["Accept"] = "application/json"}, nil)
  end
  return wrk.format("GET", "/api/v1/client/me", headers, nil)
end

-- Every answer must be 2xx (or 304): wrk counts the others in errors.status.
function done(summary, latency, requests)
  local by_kind = {}
  for _, thread in ipairs(threads) do
    for kind, n in pairs(thread:get("counts")) do
      by_kind[kind] = (by_kind[kind] or 0) + n
    end
  end
  local parts = {}
  for kind, n in pairs(by_kind) do
    if n > 0 then table.insert(parts, string.format('"%s":%d', kind, n)) end
  end
  local e = summary.errors
  local json = string.format(
    '{"requests":%d,"seconds":%.1f,"rps":%.0f,"errors":%d,"unexpected_status":%d,' ..
    '"latency_ms":{"p50":%.2f,"p90":%.2f,"p99":%.2f,"p999":%.2f,"max":%.2f},' ..
    '"sent_by_kind":{%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency:percentile(99.9) / 1e3, latency.max / 1e3, table.concat(parts, ","))
  io.write(json)
  if report_path then
    local f = io.open(report_path, "w")
    f:write(json)
    f:close()
  end
end
