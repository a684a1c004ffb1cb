// Lua for the shared rate budgets. Each script reads, decides and writes in one atomic step on
// Redis time (TIME), so instances with skewed clocks still share one sliding log per key.
// It mirrors core/rate-limiter/decide-grant.ts: a grant is allowed when the weight granted in
// (now - windowMs, now] plus the new weight stays within the limit. Members are "seq:weight".
// A hash per key keeps each window's running sum and the boundary it was taken at, so a grant
// only reads the grants that left the window since the last call: O(1) amortized, like GrantLog.
//
// KEYS: seq, then per request key: log (sorted set, score = grant ms), penalty (string, until ms),
//       sums (hash: b<windowMs> = boundary ms, s<windowMs> = weight granted after it)
// ARGV: weight, keyCount, then per key: windowCount, limit1, windowMs1, limit2, windowMs2, ...

/** Returns { granted 0|1, retryAfterMs, blockingIndex (1-based, 0 none), reason, nowMs }. */
export const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local weight = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local a = 3
local wait, blocking, reason = 0, 0, 'budget'
local horizons, windowsOf = {}, {}
local function weightsIn(logKey, low, high)
  local sum = 0
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', logKey, low, high)) do
    sum = sum + tonumber(string.match(member, ':(%d+)$'))
  end
  return sum
end
for i = 1, n do
  local logKey, penaltyKey, sumsKey = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
  local windowCount = tonumber(ARGV[a]); a = a + 1
  local windows, horizon = {}, 0
  for w = 1, windowCount do
    windows[w] = { tonumber(ARGV[a]), tonumber(ARGV[a + 1]) }; a = a + 2
    if windows[w][2] > horizon then horizon = windows[w][2] end
  end
  horizons[i], windowsOf[i] = horizon, windows
  local penaltyMs = tonumber(redis.call('GET', penaltyKey) or '0') - now
  if penaltyMs > wait then wait, blocking, reason = penaltyMs, i, 'penalty' end
  for w = 1, windowCount do
    local limit, windowMs = windows[w][1], windows[w][2]
    local boundary = now - windowMs
    local state = redis.call('HMGET', sumsKey, 'b' .. windowMs, 's' .. windowMs)
    local last, used = tonumber(state[1]), tonumber(state[2])
    if last == nil or used == nil or boundary < last then
      used = weightsIn(logKey, '(' .. boundary, '+inf')
    elseif boundary > last then
      used = used - weightsIn(logKey, '(' .. last, boundary)
    end
    redis.call('HSET', sumsKey, 'b' .. windowMs, boundary, 's' .. windowMs, used)
    local excess = used + weight - limit
    if excess > 0 then
      local live = redis.call('ZRANGEBYSCORE', logKey, '(' .. boundary, '+inf', 'WITHSCORES')
      for j = 1, #live, 2 do
        excess = excess - tonumber(string.match(live[j], ':(%d+)$'))
        if excess <= 0 then
          local windowWait = tonumber(live[j + 1]) + windowMs - now
          if windowWait > wait then wait, blocking, reason = windowWait, i, 'budget' end
          break
        end
      end
    end
  end
  redis.call('ZREMRANGEBYSCORE', logKey, '-inf', now - horizon)
end
if wait > 0 then return { 0, wait, blocking, reason, now } end
local seq = redis.call('INCR', KEYS[1])
for i = 1, n do
  local logKey, sumsKey = KEYS[3 * i - 1], KEYS[3 * i + 1]
  redis.call('ZADD', logKey, now, seq .. ':' .. weight)
  for _, window in ipairs(windowsOf[i]) do redis.call('HINCRBY', sumsKey, 's' .. window[2], weight) end
  redis.call('PEXPIRE', logKey, horizons[i] + 1000)
  redis.call('PEXPIRE', sumsKey, horizons[i] + 1000)
end
return { 1, 0, 0, '', now }
`;

/** KEYS: penalty. ARGV: durationMs. Keeps the later of the two deadlines; expires with it. */
export const PENALIZE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[1], untilMs, 'PX', math.max(1, untilMs - now))
end
return now
`;

/**
 * KEYS: per key: log, penalty. ARGV: per key: horizonMs.
 * Returns { nowMs, then per key: penaltyUntilMs, { member, score, ... } }.
 */
export const READ_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = { now }
for i = 1, #ARGV do
  local live = redis.call('ZRANGEBYSCORE', KEYS[2 * i - 1], '(' .. (now - tonumber(ARGV[i])), '+inf', 'WITHSCORES')
  out[#out + 1] = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  out[#out + 1] = live
end
return out
`;

/**
 * Hands grants and penalties made locally during an outage over to the shared logs.
 * KEYS: seq, then per key: log, penalty, sums. ARGV: per key: horizonMs, penaltyUntilMs (Redis
 * time, 0 for none), grantCount, then atMs, weight per grant (Redis time). The running sums are
 * dropped, so the next acquire recounts them from the log.
 */
export const REPLAY_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local a = 1
for i = 1, (#KEYS - 1) / 3 do
  local logKey, penaltyKey = KEYS[3 * i - 1], KEYS[3 * i]
  redis.call('DEL', KEYS[3 * i + 1])
  local horizon, penaltyUntil, count = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  for g = 1, count do
    local atMs, weight = tonumber(ARGV[a]), ARGV[a + 1]; a = a + 2
    if atMs > now - horizon then
      redis.call('ZADD', logKey, atMs, redis.call('INCR', KEYS[1]) .. ':' .. weight)
    end
  end
  if count > 0 then redis.call('PEXPIRE', logKey, horizon + 1000) end
  if penaltyUntil > now and penaltyUntil > tonumber(redis.call('GET', penaltyKey) or '0') then
    redis.call('SET', penaltyKey, penaltyUntil, 'PX', penaltyUntil - now)
  end
end
return now
`;
