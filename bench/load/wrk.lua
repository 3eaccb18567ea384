-- wrk script of bench/load/run.sh. Everything comes from the environment, so one script serves
-- every measurement:
--   BENCH_METHOD   GET (default) or POST ...
--   BENCH_BODY     the request body (wrk adds Content-Length)
--   BENCH_HEADERS  header lines "Name: value", separated by newlines
--   BENCH_OUT      file that done() writes its one-line JSON result to
--   BENCH_REFRESH_TOKENS  a file of refresh tokens, one a line: refresh-chain mode (below)
--   BENCH_RANDOM   "token" or "apikey": random-credential mode (below)
--   BENCH_REFUSED  set: the responses expected are refusals (4xx), so those count as "ok" and any
--                  other status (2xx, 3xx) as unexpected, reported as non2xx
--
-- Static mode (no BENCH_REFRESH_TOKENS): the request is built once and neither request() nor
-- response() is defined, so wrk spends no Lua time per request and does not parse bodies: on a
-- 2-core machine wrk competes with the server for the CPU, and it should take as little as it can.
--
-- Refresh-chain mode: every POST /api/token/refresh/ must present a refresh token never presented
-- before (rotation blacklists the one used). Tokens wait in a FIFO queue, filled from the file;
-- request() takes the oldest, and response() puts the rotated token of each 200 back. Each
-- connection has one request in flight, and its response comes back (refilling the queue) before
-- its next request is built, so with at least as many tokens as connections every connection runs
-- its own chain for as long as the server answers 200. A refused refresh ends a chain; when the
-- queue is empty the request carries a placeholder that the server refuses (401), so a broken chain
-- shows as non-2xx responses and never as throughput. Only 200s count as refreshes.
-- One thread (-t1) is assumed in this mode: every thread would read the whole file.
--
-- Random-credential mode (BENCH_RANDOM): every request carries a credential of the right shape that
-- no server minted, a different one each time, as a flood of guessed credentials would: "token" is
-- `Authorization: Token <40 lowercase hex>` (DRF), "apikey" is `X-API-Key: tk_<8 lowercase
-- alphanumerics>_<32 alphanumerics>`. request() pastes it between the two halves of the request
-- built once, so the Lua cost per request is the random characters and one concatenation. With
-- BENCH_RANDOM=none it sends the static request through the same request() (no credential of its
-- own): the control that shows what that Lua costs wrk.

-- An empty variable counts as unset.
local function setting(name)
  local value = os.getenv(name)
  if value == "" then return nil end
  return value
end

local method = setting("BENCH_METHOD") or "GET"
local body = setting("BENCH_BODY")
local header_lines = setting("BENCH_HEADERS") or ""
local out_file = setting("BENCH_OUT")
local tokens_file = setting("BENCH_REFRESH_TOKENS")
local random_kind = setting("BENCH_RANDOM")
local refused = setting("BENCH_REFUSED") ~= nil

wrk.method = method
wrk.body = body
for line in header_lines:gmatch("[^\n]+") do
  local name, value = line:match("^%s*([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Per-thread counters, read by done() through thread:get.
ok_refreshes = 0
starved = 0

if tokens_file then
  local queue, head, tail = {}, 1, 0
  local verified = false

  function init(args)
    local f = assert(io.open(tokens_file, "r"))
    for line in f:lines() do
      if #line > 0 then
        tail = tail + 1
        queue[tail] = line
      end
    end
    f:close()
  end

  function request()
    -- wrk calls request() once before the run only to check the request's shape (it never sends
    -- that one): hand it a placeholder rather than spend a token on it.
    if not verified then
      verified = true
      return wrk.format(nil, nil, nil, '{"refresh":"placeholder"}')
    end
    local token
    if head <= tail then
      token = queue[head]
      queue[head] = nil
      head = head + 1
    else
      token = "exhausted"
      starved = starved + 1
    end
    return wrk.format(nil, nil, nil, '{"refresh":"' .. token .. '"}')
  end

  function response(status, headers, response_body)
    if status == 200 then
      local token = response_body:match('"refresh"%s*:%s*"([^"]+)"')
      if token then
        tail = tail + 1
        queue[tail] = token
        ok_refreshes = ok_refreshes + 1
      end
    end
  end
end

if random_kind then
  local lower_alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
  local alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  local random, byte, char, format = math.random, string.byte, string.char, string.format
  local bytes = {}
  local function from(alphabet, n, offset)
    local size = #alphabet
    for i = 1, n do bytes[offset + i] = byte(alphabet, random(size)) end
  end
  local credentials = {
    token = function()
      return format("%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x", random(0, 65535), random(0, 65535), random(0, 65535),
        random(0, 65535), random(0, 65535), random(0, 65535), random(0, 65535), random(0, 65535), random(0, 65535), random(0, 65535))
    end,
    apikey = function()
      from(lower_alnum, 8, 0)
      bytes[9] = 95 -- "_"
      from(alnum, 32, 9)
      return "tk_" .. char(unpack(bytes, 1, 41))
    end,
    none = function() return "" end,
  }
  local credential = assert(credentials[random_kind], "BENCH_RANDOM: token, apikey or none")
  local names = { token = "Authorization", apikey = "X-API-Key" }
  local prefixes = { token = "Token " }
  local marker = "\0credential\0"
  local head, tail

  function init(args)
    math.randomseed(os.time() + os.clock() * 1e6)
  end

  function request()
    if not head then
      -- The request as wrk.format builds it (method, path, Host, BENCH_HEADERS), cut where the credential
      -- goes. A table given to wrk.format replaces wrk.headers, so it starts as a copy of them.
      local headers = {}
      for name, value in pairs(wrk.headers) do headers[name] = value end
      if names[random_kind] then headers[names[random_kind]] = (prefixes[random_kind] or "") .. marker end
      local template = wrk.format(nil, nil, headers)
      local at = template:find(marker, 1, true)
      if at then
        head, tail = template:sub(1, at - 1), template:sub(at + #marker)
      else
        head, tail = template, ""
      end
    end
    return head .. credential() .. tail
  end
end

function done(summary, latency, requests)
  local ok = summary.requests - summary.errors.status
  local unexpected = summary.errors.status
  if refused then
    ok = summary.errors.status -- wrk counts every status of 400 and above here
    unexpected = summary.requests - summary.errors.status
  end
  local refresh_ok, refresh_starved = 0, 0
  if tokens_file then
    for _, thread in ipairs(threads) do
      refresh_ok = refresh_ok + (thread:get("ok_refreshes") or 0)
      refresh_starved = refresh_starved + (thread:get("starved") or 0)
    end
    ok = refresh_ok
  end
  local e = summary.errors
  local line = string.format(
    '{"requests":%d,"ok":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d,"starved":%d}',
    summary.requests, ok, summary.duration, unexpected, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, refresh_starved)
  io.write("result: " .. line .. "\n")
  if out_file then
    local f = assert(io.open(out_file, "w"))
    f:write(line .. "\n")
    f:close()
  end
end
