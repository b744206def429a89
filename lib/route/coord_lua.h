/*
 * coord_lua.h - the Lua scripts of Redis coordination (private to
 * coord_quota.c). Each operation is one script, so it is atomic in Redis,
 * and each reads Redis's TIME, so that the hosts' clocks do not matter.
 *
 * A scope (a provider, or a provider's model) is a sorted set of entries,
 * member = reservation id, score = when it stops counting as in flight
 * (the lease while held, the end once settled), and a hash id -> "held
 * tokens". An entry counts in a window of length W while score > now - W,
 * as in the state file (quota.h). Keys expire one day and a lease after
 * their last write, so an idle provider leaves nothing behind.
 *
 * KEYS: 1 provider set, 2 its hash, 3 model set, 4 its hash (model keys
 * are used only when ARGV says the model has limits).
 */
#ifndef LLMR_COORD_LUA_H
#define LLMR_COORD_LUA_H

/*
 * Shared prologue: the time, the windows, and usage(z, h, lim) of one
 * scope for the windows that have a limit in lim (7 numbers, -1 none).
 * Requests in a window are a ZCOUNT and its oldest entry one ZRANGE,
 * O(log n) however busy the window; in flight (concurrent) are the
 * entries whose score, their lease, is still ahead. Only token windows
 * read each entry's tokens, over the longest limited one. cal gives the
 * daily windows a calendar reset (rpd_reset, tpd_reset): {ms since the
 * last rpd reset, ms to the next, the same for tpd}, -1 when none; such a
 * window counts since its last reset and frees at the next (durations
 * travel between the hosts' clocks and Redis's, instants do not).
 */
#define COORD_LUA_COMMON \
	"local t = redis.call('TIME')\n" \
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n" \
	"local W = {1000, 60000, 86400000, 1000, 60000, 86400000, 0}\n" \
	"local function oldest(z, from)\n" \
	"  local f = redis.call('ZRANGEBYSCORE', z, '(' .. from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)\n" \
	"  if #f == 0 then return 0 end\n" \
	"  local s = tonumber(f[2])\n" \
	"  if s > now then s = now end\n" \
	"  return s\n" \
	"end\n" \
	"local function usage(z, h, lim, cal)\n" \
	"  local W = {W[1], W[2], W[3], W[4], W[5], W[6], W[7]}\n" \
	"  if cal[1] >= 0 then W[3] = cal[1] end\n" \
	"  if cal[3] >= 0 then W[6] = cal[3] end\n" \
	"  local old = redis.call('ZRANGEBYSCORE', z, '-inf', now - 86400000 - 1, 'LIMIT', 0, 200)\n" \
	"  for _, id in ipairs(old) do redis.call('HDEL', h, id) end\n" \
	"  if #old > 0 then redis.call('ZREM', z, unpack(old)) end\n" \
	"  local used, first = {0,0,0,0,0,0,0}, {0,0,0,0,0,0,0}\n" \
	"  local span = 0\n" \
	"  for i = 1, 3 do\n" \
	"    if lim[i] >= 0 then\n" \
	"      used[i] = redis.call('ZCOUNT', z, '(' .. (now - W[i]), '+inf')\n" \
	"      if used[i] > 0 then first[i] = oldest(z, now - W[i]) + W[i] end\n" \
	"    end\n" \
	"    if lim[i + 3] >= 0 and W[i] > span then span = W[i] end\n" \
	"  end\n" \
	"  if lim[7] >= 0 then\n" \
	"    used[7] = redis.call('ZCOUNT', z, '(' .. now, '+inf')\n" \
	"    first[7] = now\n" \
	"  end\n" \
	"  local function calendar()\n" \
	"    if cal[1] >= 0 then first[3] = 0; if used[3] > 0 then first[3] = now + cal[2] end end\n" \
	"    if cal[3] >= 0 then first[6] = 0; if used[6] > 0 then first[6] = now + cal[4] end end\n" \
	"    return used, first\n" \
	"  end\n" \
	"  if span == 0 then return calendar() end\n" \
	"  local e = redis.call('ZRANGEBYSCORE', z, '(' .. (now - span), '+inf', 'WITHSCORES')\n" \
	"  for j = 1, #e, 2 do\n" \
	"    local d = redis.call('HGET', h, e[j]) or '0 0'\n" \
	"    local tok = tonumber(string.match(d, '%d+ (%d+)'))\n" \
	"    local s = tonumber(e[j + 1])\n" \
	"    local eff = s\n" \
	"    if s > now then eff = now end\n" \
	"    for i = 4, 6 do\n" \
	"      if lim[i] >= 0 and s > now - W[i] then\n" \
	"        used[i] = used[i] + tok\n" \
	"        if first[i] == 0 or eff + W[i] < first[i] then first[i] = eff + W[i] end\n" \
	"      end\n" \
	"    end\n" \
	"  end\n" \
	"  return calendar()\n" \
	"end\n"

/*
 * Acquire. KEYS[5]: what the provider's response headers said, from any
 * host (coord_ratelimit.c). ARGV: 1 tokens, 2 lease ms, 3 model scope
 * (0/1), 4..10 provider limits, 11..17 model limits (-1 none), 18 id
 * counter key, 19 the "returning" key, 20 the share, 21 how many other
 * hosts, 22..25 and 26..29 the provider's and the model's calendar (see
 * usage). While the returning key lives (a host came back from an outage
 * moments ago), each limit keeps room for the other hosts' shares: they
 * may still be admitting alone until they notice that Redis is back.
 * The headers go first, as in quota_status.c: a retry-after is a cooldown,
 * "0 remaining, reset in 20s" blocks until then less what every host
 * admitted since, and a lower per-minute limit replaces the config's.
 * Returns {1, id, now} or {0, window (1..7; 8 cooldown, 9 header
 * requests, 10 header tokens), used, limit, free_at, scope, now}.
 */
static const char coord_lua_acquire[] = COORD_LUA_COMMON
	"local tokens, lease = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
	"local returning = redis.call('EXISTS', ARGV[19]) == 1\n"
	"local hd = {}\n"
	"local F = {'req_limit', 'req_rem', 'req_reset', 'tok_limit', 'tok_rem', 'tok_reset', 'cool',\n"
	"  'since_req', 'since_tok'}\n"
	"local hv = redis.call('HMGET', KEYS[5], unpack(F))\n"
	"for i = 1, 9 do hd[i] = tonumber(hv[i] or '-1') end\n"
	"if hd[7] > now then return {0, 8, 0, 0, hd[7], 0, now} end\n"
	"if hd[2] >= 0 and hd[3] > now and hd[2] - hd[8] <= 0 then return {0, 9, hd[8], hd[2], hd[3], 0, now} end\n"
	"if hd[5] >= 0 and hd[6] > now and hd[5] - hd[9] < tokens then\n"
	"  return {0, 10, hd[9], hd[5], hd[6], 0, now}\n"
	"end\n"
	"local function check(z, h, base, scope)\n"
	"  local lims, cal = {}, {}\n"
	"  for i = 1, 7 do lims[i] = tonumber(ARGV[base + i]) end\n"
	"  for i = 1, 4 do cal[i] = tonumber(ARGV[22 + scope * 4 + i - 1]) end\n"
	"  if scope == 0 and hd[1] >= 0 and lims[2] > hd[1] then lims[2] = hd[1] end\n"
	"  if scope == 0 and hd[4] >= 0 and lims[5] > hd[4] then lims[5] = hd[4] end\n"
	"  local used, first = usage(z, h, lims, cal)\n"
	"  for i = 1, 7 do\n"
	"    local lim = lims[i]\n"
	"    if lim > 0 and returning then\n"
	"      local s = math.floor(lim * tonumber(ARGV[20]))\n"
	"      if s < 1 then s = 1 end\n"
	"      lim = lim - s * tonumber(ARGV[21])\n"
	"      if lim < 0 then lim = 0 end\n"
	"    end\n"
	"    local need = 1\n"
	"    if i >= 4 and i <= 6 then need = tokens end\n"
	"    if lim >= 0 and used[i] + need > lim then\n"
	"      local fa = first[i]\n"
	"      if need > lim then fa = -1 end\n"
	"      return {0, i, used[i], lim, fa, scope, now}\n"
	"    end\n"
	"  end\n"
	"  return nil\n"
	"end\n"
	"local r = check(KEYS[1], KEYS[2], 3, 0)\n"
	"if r then return r end\n"
	"if ARGV[3] == '1' then r = check(KEYS[3], KEYS[4], 10, 1); if r then return r end end\n"
	"local id = tostring(redis.call('INCR', ARGV[18]))\n"
	"local ttl = 86400000 + lease + 60000\n"
	"local n = 1\n"
	"if ARGV[3] == '1' then n = 3 end\n"
	"for k = 1, n, 2 do\n"
	"  redis.call('ZADD', KEYS[k], now + lease, id)\n"
	"  redis.call('HSET', KEYS[k + 1], id, '1 ' .. tokens)\n"
	"  redis.call('PEXPIRE', KEYS[k], ttl)\n"
	"  redis.call('PEXPIRE', KEYS[k + 1], ttl)\n"
	"end\n"
	"redis.call('PEXPIRE', ARGV[18], ttl)\n"
	"if hd[8] >= 0 then\n"
	"  redis.call('HINCRBY', KEYS[5], 'since_req', 1)\n"
	"  redis.call('HINCRBY', KEYS[5], 'since_tok', tokens)\n"
	"end\n"
	"return {1, tonumber(id), now}\n";

/*
 * Settle or drop. ARGV: 1 id, 2 tokens, 3 "settle" or "drop", 4 t_start
 * (Redis ms). A settled entry counts from its start to now, as in the
 * state file; an entry already gone (expired) is left gone.
 */
static const char coord_lua_finish[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local fin = now\n"
	"if tonumber(ARGV[4]) > fin then fin = tonumber(ARGV[4]) end\n"
	"for k = 1, #KEYS, 2 do\n"
	"  if ARGV[3] == 'drop' then\n"
	"    redis.call('ZREM', KEYS[k], ARGV[1]); redis.call('HDEL', KEYS[k + 1], ARGV[1])\n"
	"  elseif redis.call('ZSCORE', KEYS[k], ARGV[1]) then\n"
	"    redis.call('ZADD', KEYS[k], fin, ARGV[1])\n"
	"    redis.call('HSET', KEYS[k + 1], ARGV[1], '0 ' .. ARGV[2])\n"
	"  end\n"
	"end\n"
	"return 1\n";

/*
 * Copy one local reservation in: ARGV 1 member (unique to the host and
 * row, so copying twice adds nothing), 2 ms from its end to the local now
 * (negative while it may still run), 3 tokens, 4 held.
 */
static const char coord_lua_import[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local s = now - tonumber(ARGV[2])\n"
	"for k = 1, #KEYS, 2 do\n"
	"  if redis.call('ZADD', KEYS[k], 'NX', s, ARGV[1]) == 1 then\n"
	"    redis.call('HSET', KEYS[k + 1], ARGV[1], ARGV[4] .. ' ' .. ARGV[3])\n"
	"  end\n"
	"  redis.call('PEXPIRE', KEYS[k], 86400000 + 120000)\n"
	"  redis.call('PEXPIRE', KEYS[k + 1], 86400000 + 120000)\n"
	"end\n"
	"return 1\n";

/* A host is back from an outage: KEYS[1] lives ARGV[1] ms. */
static const char coord_lua_returning[] =
	"redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])\n"
	"return 1\n";

/* Usage of one scope: {used[1..7], first[1..7], now}. ARGV: its calendar. */
static const char coord_lua_usage[] = COORD_LUA_COMMON
	"local cal = {tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])}\n"
	"local used, first = usage(KEYS[1], KEYS[2], {0, 0, 0, 0, 0, 0, 0}, cal)\n"
	"local r = {}\n"
	"for i = 1, 7 do r[i] = used[i]; r[i + 7] = first[i] end\n"
	"r[15] = now\n"
	"return r\n";

#endif
