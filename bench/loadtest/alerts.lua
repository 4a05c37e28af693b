-- wrk script for POST /webhook: varied, realistic TradingView alerts.
--
-- Mix per 100 requests (per wrk thread):
--   4  exact resends of the previous valid body (TradingView's retry): expect 200 "duplicate"
--   3  bad payloads (missing/negative price, unknown action or interval, truncated JSON, ...): expect 400
--   1  wrong passphrase: expect 401
--   1  valid alert sent as text/plain (as TradingView does for non-JSON-looking messages): expect 202
--  91  valid alerts: ~70 % carry {{timenow}} and an id, the rest neither (identified by content + window)
-- Every valid body is unique in the run (the id or the price carries the thread and a counter), so each
-- one that is answered 202 is one new signal.
--
-- The response() callback tallies statuses and keeps every SAMPLE_EVERY-th accepted signal id; done()
-- sums all threads and writes key=value lines to $KYP_WRK_OUT for scripts/loadtest.sh to verify.
--
-- Environment: KYP_WRK_OUT (summary file), KYP_PASSPHRASE, KYP_SAMPLE_EVERY (default 200).

local passphrase = os.getenv("KYP_PASSPHRASE") or "bench-passphrase"
local sample_every = tonumber(os.getenv("KYP_SAMPLE_EVERY") or "200")

local symbols = {
  "BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "BINANCE:BNBUSDT", "BINANCE:XRPUSDT",
  "BINANCE:ADAUSDT", "BINANCE:DOGEUSDT", "BINANCE:AVAXUSDT", "BINANCE:LINKUSDT", "BINANCE:DOTUSDT",
  "BYBIT:BTCUSDT.P", "BYBIT:ETHUSDT.P", "COINBASE:BTCUSD", "COINBASE:ETHUSD", "KRAKEN:XBTUSD",
  "BTCUSDT", "ETHUSDT", "LTCUSDT", "MATICUSDT", "ATOMUSDT",
  "CME_MINI:ES1!", "CME_MINI:NQ1!", "CBOT:ZN1!", "NYMEX:CL1!", "COMEX:GC1!",
  "ES1!", "NQ1!", "RTY1!", "YM1!", "SI1!",
  "NASDAQ:AAPL", "NASDAQ:MSFT", "NASDAQ:NVDA", "NASDAQ:AMZN", "NASDAQ:META",
  "NASDAQ:TSLA", "NASDAQ:GOOGL", "NYSE:JPM", "NYSE:XOM", "AMEX:SPY",
  "FX:EURUSD", "FX:GBPUSD", "FX:USDJPY", "OANDA:XAUUSD", "OANDA:AUDUSD",
  "EUR/USD", "GBP/JPY", "USD/CHF", "TVC:DXY", "TVC:VIX",
  "BRK.B", "BF.B", "SPX500_USD", "NAS100-USD", "US30",
  "BINANCE:PEPEUSDT", "BINANCE:ARBUSDT", "BINANCE:OPUSDT", "BINANCE:INJUSDT", "BINANCE:TIAUSDT",
}

local timeframes = { "1", "5", "15", "30", "60", "240", "D", "1D", "W", "30S", "1h", "4h", "15m", "1W" }
local actions = { "buy", "sell", "long", "short", "buy", "sell", "close", "exit" }

-- The passphrase is checked before the rules (an unauthorised sender learns nothing about its payload),
-- so bad payloads carry the right one to reach the rules; "@P@" is replaced by it in init().
local bad_templates = {
  '{"symbol":"BTCUSDT","action":"buy","timeframe":"15","passphrase":"@P@"}',                      -- price missing
  '{"symbol":"BTCUSDT","action":"hold","timeframe":"15","price":100,"passphrase":"@P@"}',         -- action
  '{"symbol":"BTCUSDT","action":"buy","timeframe":"7X","price":100,"passphrase":"@P@"}',          -- timeframe
  '{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":-5,"passphrase":"@P@"}',           -- price <= 0
  '{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":100,"confidence":150,"passphrase":"@P@"}', -- confidence
  '{"symbol":"BTC USDT","action":"buy","timeframe":"15","price":100,"passphrase":"@P@"}',         -- symbol
  '{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":',                                 -- truncated
  '{{strategy.order.action}} BTCUSDT @ {{close}}',                                                -- template left as text
  '',                                                                                             -- empty
}
local bad_bodies = {}

local json_headers = { ["Content-Type"] = "application/json" }
local text_headers = { ["Content-Type"] = "text/plain; charset=utf-8" }

-- Thread state (each wrk thread has its own Lua state).
local threads = {}
local counter = 0
local last_valid = nil
local last_second, timenow = -1, nil

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  tid = tid or 1
  -- A run tag keeps ids and prices unique across wrk invocations against one app (warm-up, then the run).
  run = os.getenv("KYP_RUN") or tostring(os.time())
  math.randomseed(7919 * tid + os.time())
  for i, t in ipairs(bad_templates) do bad_bodies[i] = t:gsub("@P@", passphrase) end
  sent, recv, accepted = 0, 0, 0
  s200, s202, s400, s401, s413, s415, s429, s503, s5xx, sother = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  samples = ""
end

local function now_iso()
  local t = os.time()
  if t ~= last_second then
    last_second = t
    timenow = os.date("!%Y-%m-%dT%H:%M:%SZ", t)
  end
  return timenow
end

local function valid_body()
  local symbol = symbols[math.random(#symbols)]
  local tf = timeframes[math.random(#timeframes)]
  local action = actions[math.random(#actions)]
  local confidence = 40 + math.random(0, 60)
  -- The price's decimals are unique per run, thread and counter, so alerts without id/time are distinct signals.
  local price = string.format("%d.%s%07d%d", 20 + math.random(60000), run, counter, tid)
  if math.random(10) <= 7 then
    return string.format(
      '{"symbol":"%s","action":"%s","timeframe":"%s","price":%s,"confidence":%d,"passphrase":"%s",' ..
      '"time":"%s","id":"w%s-%d-%d","comment":"wrk load"}',
      symbol, action, tf, price, confidence, passphrase, now_iso(), run, tid, counter)
  end
  return string.format(
    '{"symbol":"%s","action":"%s","timeframe":%s,"price":"%s","confidence":%d,"secret":"%s"}',
    symbol, action, (tf:match("^%d+$") and tf or ('"' .. tf .. '"')), price, confidence, passphrase)
end

function request()
  counter = counter + 1
  sent = sent + 1
  local r = counter % 100
  if r < 4 and last_valid ~= nil then
    return wrk.format("POST", "/webhook", json_headers, last_valid)
  elseif r < 7 then
    return wrk.format("POST", "/webhook", json_headers, bad_bodies[(counter % #bad_bodies) + 1])
  elseif r == 7 then
    local body = string.format('{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":100.%d,"passphrase":"wrong"}', counter)
    return wrk.format("POST", "/webhook", json_headers, body)
  elseif r == 8 then
    last_valid = valid_body()
    return wrk.format("POST", "/webhook", text_headers, last_valid)
  end
  last_valid = valid_body()
  return wrk.format("POST", "/webhook", json_headers, last_valid)
end

function response(status, headers, body)
  recv = recv + 1
  if status == 202 then
    s202 = s202 + 1
    if s202 % sample_every == 1 then
      local id = body:match('"signalId"%s*:%s*"(sig_[0-9a-f]+)"')
      if id then samples = samples .. id .. " " end
    end
  elseif status == 200 then s200 = s200 + 1
  elseif status == 400 then s400 = s400 + 1
  elseif status == 401 then s401 = s401 + 1
  elseif status == 413 then s413 = s413 + 1
  elseif status == 415 then s415 = s415 + 1
  elseif status == 429 then s429 = s429 + 1
  elseif status == 503 then s503 = s503 + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local keys = { "sent", "recv", "s200", "s202", "s400", "s401", "s413", "s415", "s429", "s503", "s5xx", "sother" }
  local total = {}
  for _, k in ipairs(keys) do total[k] = 0 end
  local all_samples = ""
  for _, t in ipairs(threads) do
    for _, k in ipairs(keys) do total[k] = total[k] + (t:get(k) or 0) end
    all_samples = all_samples .. (t:get("samples") or "")
  end

  local seconds = summary.duration / 1e6
  local lines = {
    string.format("requests=%d", summary.requests),
    string.format("duration_s=%.3f", seconds),
    string.format("rps=%.0f", summary.requests / seconds),
    string.format("p50_ms=%.3f", latency:percentile(50) / 1000),
    string.format("p90_ms=%.3f", latency:percentile(90) / 1000),
    string.format("p99_ms=%.3f", latency:percentile(99) / 1000),
    string.format("max_ms=%.3f", latency.max / 1000),
    string.format("socket_errors=%d", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout),
    string.format("timeouts=%d", summary.errors.timeout),
  }
  for _, k in ipairs(keys) do table.insert(lines, string.format("%s=%d", k, total[k])) end
  table.insert(lines, "samples=" .. all_samples)

  local out = os.getenv("KYP_WRK_OUT")
  local text = table.concat(lines, "\n") .. "\n"
  if out and out ~= "" then
    local f = assert(io.open(out, "w"))
    f:write(text)
    f:close()
  else
    io.write(text)
  end
end
