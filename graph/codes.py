"""Error codes added for issue 18 (abuse resistance), in one place.

Plain strings with no imports, so any layer may use them; the lead maps them into the
ErrorCode enum (sources/base/codes.py) when merging.
"""

from __future__ import annotations

MAX_REPRESENTATIONS_EXCEEDED = "MAX_REPRESENTATIONS_EXCEEDED"  # _entities list too long
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # 413: a body over its limit, refused while streaming
LENGTH_REQUIRED = "LENGTH_REQUIRED"  # 411: an upload without Content-Length
UPLOADS_BUSY = "UPLOADS_BUSY"  # 503: the shared upload spool budget is taken
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"  # 408: a request body stalled
FORBIDDEN = "FORBIDDEN"  # _service { sdl } without the router's token in production
