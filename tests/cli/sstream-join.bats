bats_require_minimum_version 1.8.0
load test_helper

# sstream-join: a stream joined with a static CSV or NDJSON table.

setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  printf '%s\n' 'id,name,city' '1,ann,Oslo' '2,bob,' '"3","cy, jr","Rio ""RJ"""' > users.csv
  printf '%s\n' '{"id":1,"name":"ann","city":"Oslo"}' '{"id":"2","name":"bob"}' > users.ndjson
  printf '%s\n' '{"uid":1,"v":"x"}' '{"uid":2,"v":"y"}' '{"uid":4,"v":"z"}' '{"v":"no key"}' \
    '{"uid":null,"v":"null key"}' > events.ndjson
}

@test "an inner join with a CSV table appends the static columns and drops unmatched records" {
  run -0 --separate-stderr sstream-join --static users.csv --on uid=id --data-only < events.ndjson
  assert_output "$(printf '%s\n' '{"uid":1,"v":"x","id":"1","name":"ann","city":"Oslo"}' \
    '{"uid":2,"v":"y","id":"2","name":"bob","city":null}')"
  assert_stderr_empty
}

@test "CSV quoting is read as RFC 4180: commas and doubled quotes inside quoted fields" {
  printf '{"id":3}\n' > in.ndjson
  run -0 sstream-join --static users.csv --on id --data-only < in.ndjson
  assert_output '{"id":3,"name":"cy, jr","city":"Rio \"RJ\""}'
}

@test "a left join keeps unmatched records with null static columns" {
  run -0 --separate-stderr sstream-join --static users.csv --on uid=id --how left --data-only \
    < events.ndjson
  assert_output "$(printf '%s\n' '{"uid":1,"v":"x","id":"1","name":"ann","city":"Oslo"}' \
    '{"uid":2,"v":"y","id":"2","name":"bob","city":null}' \
    '{"uid":4,"v":"z","id":null,"name":null,"city":null}' \
    '{"v":"no key","id":null,"name":null,"city":null}' \
    '{"uid":null,"v":"null key","id":null,"name":null,"city":null}')"
  assert_stderr_empty
}

@test "an NDJSON table joins like CSV; keys match by value across strings and numbers" {
  run -0 --separate-stderr sstream-join --static users.ndjson --on uid=id --how left --data-only \
    < events.ndjson
  assert_line --index 0 '{"uid":1,"v":"x","id":1,"name":"ann","city":"Oslo"}'
  assert_line --index 1 '{"uid":2,"v":"y","id":"2","name":"bob","city":null}'
  assert_line --index 2 '{"uid":4,"v":"z","id":null,"name":null,"city":null}'
  assert_stderr_empty
}

@test "a key with the same name on both sides is written once" {
  printf '{"id":"1","v":"x"}\n' > in.ndjson
  run -0 sstream-join --static users.csv --on id --data-only < in.ndjson
  assert_output '{"id":"1","v":"x","name":"ann","city":"Oslo"}'
}

@test "several keys with a=b syntax must all match" {
  printf '%s\n' 'a,b,val' '1,x,one' '1,y,two' '2,x,three' > multi.csv
  printf '%s\n' '{"p":1,"q":"x"}' '{"p":1,"q":"y"}' '{"p":2,"q":"y"}' > in.ndjson
  run -0 --separate-stderr sstream-join --static multi.csv --on p=a,q=b --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"p":1,"q":"x","a":"1","b":"x","val":"one"}' \
    '{"p":1,"q":"y","a":"1","b":"y","val":"two"}')"
  assert_stderr_empty
  run -0 sstream-join --static multi.csv --on p=a --on q=b --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"p":1,"q":"x","a":"1","b":"x","val":"one"}' \
    '{"p":1,"q":"y","a":"1","b":"y","val":"two"}')"
}

@test "a key with several static rows yields one record per row" {
  printf '%s\n' 'k,tag' '1,red' '1,blue' > tags.csv
  printf '{"k":1}\n' > in.ndjson
  run -0 sstream-join --static tags.csv --on k --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"k":1,"tag":"red"}' '{"k":1,"tag":"blue"}')"
}

@test "a static column the record already has is replaced by the static value" {
  printf '{"uid":1,"name":"old","v":1}\n' > in.ndjson
  run -0 sstream-join --static users.csv --on uid=id --data-only < in.ndjson
  assert_output '{"uid":1,"v":1,"id":"1","name":"ann","city":"Oslo"}'
}

@test "an unknown key column is refused, listing the table's columns" {
  run -2 --separate-stderr sstream-join --static users.csv --on uid=nope < events.ndjson
  assert_output ""
  assert_stderr_contains "--on uid=nope: users.csv has no column 'nope' (columns: id, name, city)"
}

@test "a CSV row with the wrong number of fields fails naming the file and line" {
  printf '%s\n' 'a,b' '1,2' '3' > bad.csv
  run -1 --separate-stderr sstream-join --static bad.csv --on a < events.ndjson
  assert_stderr_contains "bad.csv: line 3: expected 2 fields, found 1"
}

@test "an unterminated quoted CSV field fails naming the file and line" {
  printf '%s\n' 'a,b' '1,"open' > bad.csv
  run -1 --separate-stderr sstream-join --static bad.csv --on a < events.ndjson
  assert_stderr_contains "bad.csv: line 2: unterminated quoted field"
}

@test "a bad line in an NDJSON table fails naming the file and line" {
  printf '%s\n' '{"id":1}' '{"id":' > bad.ndjson
  run -1 --separate-stderr sstream-join --static bad.ndjson --on id < events.ndjson
  assert_stderr_contains "bad.ndjson: line 2:"
}

@test "a missing static file fails with exit 1 naming it" {
  run -1 --separate-stderr sstream-join --static nowhere.csv --on id < events.ndjson
  assert_stderr_contains "nowhere.csv" "No such file or directory"
}

@test "--static and --on are required" {
  run -2 --separate-stderr sstream-join --on id < events.ndjson
  assert_stderr_contains "--static"
  run -2 --separate-stderr sstream-join --static users.csv < events.ndjson
  assert_stderr_contains "--on"
}

@test "control lines pass through the join in place" {
  printf '%s\n' '{"uid":1}' '{"@sstream":"tick","epoch":0}' '{"@sstream":"watermark","ms":1000}' \
    '{"uid":4}' '{"@sstream":"tick","epoch":1}' '{"@sstream":"end"}' > in.ndjson
  run -0 --separate-stderr sstream-join --control always --static users.csv --on uid=id < in.ndjson
  assert_output "$(printf '%s\n' '{"uid":1,"id":"1","name":"ann","city":"Oslo"}' \
    '{"@sstream":"tick","epoch":0}' \
    '{"@sstream":"watermark","ms":1000,"time":"1970-01-01T00:00:01.000Z"}' \
    '{"@sstream":"tick","epoch":1}' '{"@sstream":"end"}')"
  assert_stderr_empty
}

@test "the YSB campaigns table joins every generated event" {
  make_campaigns campaigns.csv
  sstream-source gen:ysb --count 2000 --data-only > ev.ndjson
  run_pipeline -0 "sstream-join --static campaigns.csv --on ad_id --data-only < ev.ndjson | jq -r 'select(.campaign_id != null) | .ad_id' | wc -l"
  assert_output 2000
}

@test "an NDJSON table row that merely contains the text \"@sstream\" is still a row" {
  printf '%s\n' '{"id":1,"tag":"@sstream"}' '{"id":2,"tag":"x"}' > tags.ndjson
  printf '%s\n' '{"id":1}' '{"id":2}' > in.ndjson
  run -0 sstream-join --static tags.ndjson --on id --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"id":1,"tag":"@sstream"}' '{"id":2,"tag":"x"}')"
}

@test "--static-format tsv reads a tab-separated table whatever its name says" {
  printf 'id\tname\n1\tann\n2\tbob, jr\n' > users-tab.csv
  printf '%s\n' '{"id":1}' '{"id":2}' > in.ndjson
  # By its name the file is CSV: one column "id<TAB>name", and a row with two.
  run -1 --separate-stderr sstream-join --static users-tab.csv --on id < in.ndjson
  assert_stderr_contains "users-tab.csv: line 3: expected 1 fields, found 2"
  run -0 --separate-stderr sstream-join --static users-tab.csv --static-format tsv --on id \
    --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"id":1,"name":"ann"}' '{"id":2,"name":"bob, jr"}')"
  assert_stderr_empty
}

@test "--static-format json reads JSON lines whatever the file's name says" {
  cp users.ndjson users-json.csv
  run -1 --separate-stderr sstream-join --static users-json.csv --on uid=id < events.ndjson
  assert_stderr_contains "users-json.csv: line 1: unexpected character after a quoted field"
  run -0 --separate-stderr sstream-join --static users-json.csv --static-format json --on uid=id \
    --data-only < events.ndjson
  assert_output "$(printf '%s\n' '{"uid":1,"v":"x","id":1,"name":"ann","city":"Oslo"}' \
    '{"uid":2,"v":"y","id":"2","name":"bob","city":null}')"
  assert_stderr_empty
}

@test "--tick shorter than a millisecond is a usage error (exit 2)" {
  assert_usage_error "--tick must be at least 1ms" \
    sstream-join --static users.csv --on uid=id --tick 0s
}

@test "-v logs how many rows and keys the static table has" {
  run -0 --separate-stderr sstream-join -v --static users.csv --on uid=id --data-only \
    < events.ndjson
  assert_equal "${#lines[@]}" 2
  assert_equal "$stderr" "sstream-join: info: loaded 3 rows (3 distinct keys) from users.csv"
  printf '%s\n' 'k,tag' '1,red' '1,blue' > tags.csv
  run -0 --separate-stderr sstream-join -v --static tags.csv --on k --data-only <<< '{"k":1}'
  assert_equal "$stderr" "sstream-join: info: loaded 2 rows (1 distinct keys) from tags.csv"
}

@test "-q silences the warnings about skipped records" {
  printf '%s\n' '{"uid":1}' 'not json' '{"uid":2}' > in.ndjson
  run -0 --separate-stderr sstream-join --bad-records skip --static users.csv --on uid=id \
    --data-only < in.ndjson
  assert_stderr_contains "sstream-join: warning: skipped 1 bad record(s)"
  run -0 --separate-stderr sstream-join -q --bad-records skip --static users.csv --on uid=id \
    --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"uid":1,"id":"1","name":"ann","city":"Oslo"}' \
    '{"uid":2,"id":"2","name":"bob","city":null}')"
  assert_stderr_empty
}

@test "shared options are checked before the static table is read" {
  assert_usage_error "--tick must be at least 1ms" sstream-join --static missing.csv --on id --tick 0s
}

@test "--on takes an expression on the stream side" {
  printf '%s\n' '{"u":"ANN"}' '{"u":"cy"}' > names.ndjson
  run -0 --separate-stderr sstream-join --static users.csv --on "lower(u)=name" --data-only \
    < names.ndjson
  assert_output '{"u":"ANN","id":"1","name":"ann","city":"Oslo"}'
  run -0 --separate-stderr sstream-join --static users.csv --on "uid + 1=id" --data-only \
    < events.ndjson
  assert_output '{"uid":1,"v":"x","id":"2","name":"bob","city":null}
{"uid":2,"v":"y","id":"3","name":"cy, jr","city":"Rio \"RJ\""}'
}

@test "--on splits at the last '=' outside parentheses, so the stream side may hold comparisons" {
  printf '%s\n' 'name,region' 'bob,eu' > regions.csv
  printf '{"user":"Bob","k":1}\n' > bob.ndjson
  run -0 sstream-join --static regions.csv --on "if(k >= 1, lower(user), user)=name" --data-only \
    < bob.ndjson
  assert_output '{"user":"Bob","k":1,"name":"bob","region":"eu"}'
  run -0 sstream-join --static regions.csv --on "CASE WHEN k = 1 THEN lower(user) END=name" \
    --data-only < bob.ndjson
  assert_output '{"user":"Bob","k":1,"name":"bob","region":"eu"}'
}

# issue-10 item 16: Spark's join(small, $"value" === $"number") keeps both key columns.
@test "issue-10: a join on differently named keys keeps the static key column, null-padded when unmatched" {
  printf '%s\n' '{"number":1,"word":"one"}' '{"number":2,"word":"two"}' > small.ndjson
  printf '%s\n' '{"value":1}' '{"value":3}' > in.ndjson
  run -0 --separate-stderr sstream-join --static small.ndjson --on value=number --data-only \
    < in.ndjson
  assert_output '{"value":1,"number":1,"word":"one"}'
  assert_stderr_empty
  run -0 --separate-stderr sstream-join --static small.ndjson --on value=number --how left \
    --data-only < in.ndjson
  assert_output "$(printf '%s\n' '{"value":1,"number":1,"word":"one"}' \
    '{"value":3,"number":null,"word":null}')"
  # A key of one name (Spark's join(small, "number")) stays one column.
  printf '%s\n' '{"number":1}' '{"number":3}' > same.ndjson
  run -0 sstream-join --static small.ndjson --on number --how left --data-only < same.ndjson
  assert_output "$(printf '%s\n' '{"number":1,"word":"one"}' '{"number":3,"word":null}')"
  run -0 sstream-join --static small.ndjson --on number=number --data-only < same.ndjson
  assert_output '{"number":1,"word":"one"}'
}

# Issue 10 ("Every row accounted for"): a misspelled key is reported.
@test "issue-10: an --on key no record of a batch has is warned about; --strict makes it an error" {
  run -0 --separate-stderr sstream-join --static users.csv --on ui=id --data-only < events.ndjson
  assert_output ''
  assert_stderr_contains "sstream-join: warning: --on: no record of batch 0 (5 record(s)) has the field 'ui' (did you mean 'uid'?)"
  run -1 --separate-stderr sstream-join --strict --static users.csv --on ui=id --data-only < events.ndjson
  assert_stderr_contains "sstream-join: error: --on: no record of batch 0 (5 record(s)) has the field 'ui'"
}
