#!/usr/bin/env bash
# The Yahoo Streaming Benchmark query as a shell pipeline: ad events from the
# built-in generator, keep views, join each ad to its campaign, count views per
# campaign in 10-second event-time windows with a 5-second watermark, and print
# each batch's final windows as Spark's console sink would.
#
#   examples/ysb-demo/run.sh [BIN_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ $# -gt 0 ]]; then PATH="$(cd "$1" && pwd):$PATH"; fi

sstream-source gen:ysb --count 300000 --events-per-second 10000 --disorder 2s \
    --trigger available-now --max-batch-records 10000 |
  sstream-map --where "event_type = 'view'" --select "ad_id, event_time" |
  sstream-join --static "$here/campaigns.csv" --on ad_id |
  sstream-window --time event_time --tumbling 10s --watermark 5s --by campaign_id \
    --output-time-format iso |
  sstream-sink --format table --num-rows 5 --truncate 0
