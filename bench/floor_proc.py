"""The floor as its own process, pinned to the gateway's core, driven by JSON lines.

stdin: {"op": "dashboard"|"inbox"|"search", "concurrency": C, "seconds": S, "limit": N,
"seed": K, "tokens": [...] (optional), "ars": ..., "text": ..., "cached": bool}; stdout:
one JSON summary per command with the process's CPU seconds for it. {"op": "learn",
"tokens": [...]} learns those citizens' account links (bench/floor_citizen.py) and answers
{"linked": how many links}. The floor calls over bench/floor_http.py (aiohttp, orjson).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.baseline import Floor
from bench.floor_citizen import CitizenFloor
from bench.load import closed_loop, pick, summary

INBOX_PAGE = 500


async def command(
    floor: Floor | CitizenFloor, tokens: list[str], spec: dict[str, Any]
) -> dict[str, Any]:
    op, seed = spec["op"], spec.get("seed", 0)
    pool = spec.get("tokens") or tokens
    if op == "learn":
        assert isinstance(floor, CitizenFloor), "links are learned on the topology sandbox"
        gate = asyncio.Semaphore(16)

        async def learn(token: str) -> int:
            async with gate:
                return await floor.learn(token)

        return {"linked": sum(await asyncio.gather(*map(learn, pool)))}

    async def work(worker: int, n: int) -> bool:
        if op == "dashboard":
            await floor.dashboard(pool[pick(seed, worker, n, len(pool))])
        elif op == "inbox":
            return await floor.inbox(pool[0], INBOX_PAGE) > 0
        else:
            return await floor.search(spec["ars"], spec.get("text"), 20, spec["cached"]) == 20
        return True

    cpu = time.process_time()
    run = await closed_loop(work, spec["concurrency"], spec["seconds"], spec["limit"])
    return {**summary(run), "cpu_s": time.process_time() - cpu}


async def main() -> None:
    # Read once before anything runs; blocking is harmless here.
    urls_file = Path(sys.argv[1])
    urls = json.loads(urls_file.read_text())  # noqa: ASYNC240
    # The topology sandbox (network file v2) names its upstreams as the gateway does.
    floor = CitizenFloor(urls, urls_file.parent) if "pvog" in urls else Floor(urls)
    tokens: list[str] = json.loads(Path(sys.argv[2]).read_text())  # noqa: ASYNC240
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        print(json.dumps(await command(floor, tokens, json.loads(line))), flush=True)
    await floor.http.aclose()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main())
