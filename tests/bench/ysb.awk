# YSB query in awk, the classic-Unix baseline for tests/bench/ysb.sh.
#
#   LC_ALL=C mawk -f ysb.awk -v campaigns=campaigns.csv events.ndjson
#
# Keeps events with event_type "view", joins ad_id to campaign_id through
# the campaigns CSV (header "ad_id,campaign_id"), and counts per
# (10 s tumbling window on event_time in ms, campaign_id). Prints
# "window_start campaign_id count" lines, unsorted.
#
# Lines are split on '"'. For the generator's fixed layout
#   {"user_id": "U", "page_id": "P", "ad_id": "A", "ad_type": "T",
#    "event_type": "E", "event_time": "MS", "ip_address": "I"}
# the values sit at fixed positions ($12 ad_id, $20 event_type, $24
# event_time); any other layout falls back to looking the keys up.
BEGIN {
  FS = "\""
  if (campaigns == "") { print "ysb.awk: -v campaigns=FILE is required" > "/dev/stderr"; exit 2 }
  n = 0
  while ((getline line < campaigns) > 0) {
    if (n++ == 0) continue                      # header
    split(line, c, ",")
    campaign[c[1]] = c[2]
  }
  close(campaigns)
  if (n < 2) { print "ysb.awk: no rows in " campaigns > "/dev/stderr"; exit 2 }
}
$10 == "ad_id" && $18 == "event_type" && $22 == "event_time" {
  if ($20 != "view") next
  ad = $12
  # A 10 s window of epoch ms: drop the last four digits. Text, not
  # arithmetic: mawk would print a 13-digit number as 1.76723e+12.
  if (ad in campaign) count[substr($24, 1, length($24) - 4) SUBSEP campaign[ad]]++
  next
}
{
  # Generic path: "key": "value" pairs in any order; numeric time allowed.
  ad = ""; et = ""; t = ""
  for (i = 2; i < NF; i += 2) {
    if ($i == "event_type") et = $(i + 2)
    else if ($i == "ad_id") ad = $(i + 2)
    else if ($i == "event_time") {
      if ($(i + 1) ~ /^[ \t]*:[ \t]*$/) t = $(i + 2)
      else { t = $(i + 1); gsub(/[^0-9]/, "", t) }
    }
  }
  if (et != "view" || length(t) < 5) next
  if (ad in campaign) count[substr(t, 1, length(t) - 4) SUBSEP campaign[ad]]++
}
END {
  for (k in count) {
    split(k, p, SUBSEP)
    printf "%s0000 %s %d\n", p[1], p[2], count[k]
  }
}
