#!/usr/bin/env python3
"""YSB query in Python (stdlib json), a baseline for tests/bench/ysb.sh.

    python3 ysb.py campaigns.csv < events.ndjson

Keeps events with event_type "view", joins ad_id to campaign_id through the
campaigns CSV (header ad_id,campaign_id), and counts per (10 s tumbling window
on event_time in ms, campaign_id). Prints "window_start campaign_id count"
lines, unsorted.
"""
import csv
import json
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: ysb.py CAMPAIGNS_CSV < EVENTS", file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="") as f:
        campaign = {row["ad_id"]: row["campaign_id"] for row in csv.DictReader(f)}
    counts = {}
    loads = json.loads
    get = campaign.get
    for line in sys.stdin.buffer:
        e = loads(line)
        if e["event_type"] != "view":
            continue
        c = get(e["ad_id"])
        if c is None:
            continue
        key = (int(e["event_time"]) // 10000 * 10000, c)
        counts[key] = counts.get(key, 0) + 1
    out = sys.stdout
    for (start, c), n in counts.items():
        out.write(f"{start} {c} {n}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
