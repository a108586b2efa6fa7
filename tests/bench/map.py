#!/usr/bin/env python3
"""The sstream-map benchmark query in Python (stdlib json), a baseline for
tests/bench/map.sh.

    python3 map.py < events.ndjson

Keeps events with event_type "view" and prints {"ad_id":…,"event_time":…}
per kept event as compact JSON, missing or null fields left out, as
sstream-map --where "event_type = 'view'" --select "ad_id, event_time" does.
"""
import json
import sys


def main() -> int:
    if len(sys.argv) != 1:
        print("usage: map.py < EVENTS", file=sys.stderr)
        return 2
    loads = json.loads
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    write = sys.stdout.write
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        e = loads(line)
        if e.get("event_type") != "view":
            continue
        out = {}
        for k in ("ad_id", "event_time"):
            v = e.get(k)
            if v is not None:
                out[k] = v
        write(dumps(out))
        write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
