"""The Redis stream's append script and its entry IDs as `EventPosition`s.

An entry ID is "{server ms}-{n}", n counting every event ever stored; as a position both
parts are zero-padded (13 and 16 digits), so positions compare as strings.
"""

from __future__ import annotations

import re

from sources.base import EventPosition

POSITION = re.compile(r"^(\d{13})-(\d{16})$")
FIELD = b"e"

# KEYS: stream, counter, seen key. ARGV: payload, max events, max age ms, dedupe window ms.
APPEND = """
local known = redis.call('GET', KEYS[3])
if known then return {known, 1} end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local n = redis.call('INCR', KEYS[2])
local id = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2],
                       string.format('%d-%d', ms, n), 'e', ARGV[1])
if type(id) == 'table' and id.err then
  -- The clock went back or the counter was lost: continue after the stream's last ID.
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      local last_ms, last_n = string.match(info[i + 1], '(%d+)-(%d+)')
      ms = math.max(ms, tonumber(last_ms))
      n = math.max(n, tonumber(last_n) + 1)
    end
  end
  redis.call('SET', KEYS[2], n)
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2],
                  string.format('%d-%d', ms, n), 'e', ARGV[1])
end
if ms > tonumber(ARGV[3]) then
  redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-0', ms - tonumber(ARGV[3])))
end
redis.call('SET', KEYS[3], id, 'PX', ARGV[4])
return {id, 0}
"""


def position_of(entry_id: bytes | str) -> EventPosition:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, n = text.split("-")
    return EventPosition(f"{int(ms):013d}-{int(n):016d}")


def entry_id_of(position: EventPosition) -> tuple[str, int, int]:
    ms, n = (int(part) for part in position.split("-"))
    return f"{ms}-{n}", ms, n
