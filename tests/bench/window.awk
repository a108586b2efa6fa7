# The window benchmark's count in mawk: records {"time":MS,"key":"K"} ->
# "window_start key count" per 10 s tumbling window (epoch ms), at the end.
# Split on '"': $3 is ':MS,' and $6 is the key.
BEGIN { FS = "\"" }
{
  # The window's number (epoch ms / 10,000) is an integer below 2^31, so it
  # becomes an exact string key; an epoch in ms would go through CONVFMT.
  c[int(substr($3, 2, length($3) - 2) / 10000) SUBSEP $6]++
}
END {
  for (k in c) {
    split(k, part, SUBSEP)
    printf "%.0f %s %d\n", part[1] * 10000, part[2], c[k]
  }
}
