# The sstream-map benchmark query in awk, the classic-Unix baseline for
# tests/bench/map.sh.
#
#   LC_ALL=C mawk -f map.awk events.ndjson
#
# Keeps events with event_type "view" and prints {"ad_id":…,"event_time":…}
# per kept event, as `sstream-map --where "event_type = 'view'"
# --select "ad_id, event_time"` does: compact JSON, values copied as written,
# missing or null fields left out.
#
# Lines are split on '"'. For the generator's fixed layout
#   {"user_id": "U", "page_id": "P", "ad_id": "A", "ad_type": "T",
#    "event_type": "E", "event_time": "MS", "ip_address": "I"}
# the values sit at fixed positions ($12 ad_id, $20 event_type, $24
# event_time); any other flat layout falls back to looking the keys up
# (string, number and literal values; no escapes or nested values).
BEGIN { FS = "\"" }
$10 == "ad_id" && $18 == "event_type" && $22 == "event_time" {
  if ($20 == "view") print "{\"ad_id\":\"" $12 "\",\"event_time\":\"" $24 "\"}"
  next
}
{
  ad = ""; et = ""; t = ""
  i = 2
  while (i < NF) {
    key = $i
    raw = $(i + 1)
    if (raw ~ /^[ \t]*:[ \t]*$/) {        # a string value: the next field
      raw = "\"" $(i + 2) "\""
      i += 4
    } else {                              # a number or literal, up to , or }
      sub(/^[ \t]*:[ \t]*/, "", raw)
      sub(/[ \t]*[,}][ \t]*$/, "", raw)
      i += 2
    }
    # The first occurrence of a key counts, as in sstream.
    if (key == "event_type" && et == "") et = raw
    else if (key == "ad_id" && ad == "") ad = raw
    else if (key == "event_time" && t == "") t = raw
  }
  if (et != "\"view\"") next
  out = ""
  if (ad != "" && ad != "null") out = "\"ad_id\":" ad
  if (t != "" && t != "null") out = out (out == "" ? "" : ",") "\"event_time\":" t
  print "{" out "}"
}
