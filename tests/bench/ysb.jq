# YSB query in jq, a baseline for tests/bench/ysb.sh.
#
#   jq -n -r --slurpfile campaigns campaigns.json -f ysb.jq events.ndjson
#
# campaigns.json holds one object {"<ad_id>": "<campaign_id>", ...}. Keeps
# events with event_type "view", joins ad_id to campaign_id, and counts per
# (10 s tumbling window on event_time in ms, campaign_id). Prints
# "window_start campaign_id count" lines, unsorted.
$campaigns[0] as $ads
| reduce (inputs | select(.event_type == "view")) as $e ({};
    ($ads[$e.ad_id]) as $c
    | if $c == null then .
      else .[(($e.event_time | tonumber) / 10000 | floor * 10000 | tostring) + " " + $c] += 1
      end)
| to_entries[]
| "\(.key) \(.value)"
