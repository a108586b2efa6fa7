bats_require_minimum_version 1.8.0
load test_helper

# The examples of sstream-expr(7), run through sstream-map --select on one
# record: each result must be exactly what the page shows.

setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  # The record of the page's EXAMPLES section.
  printf '%s\n' '{"n":5,"s":"abc","z":null,"arr":[10,"x",{"k":"v"}],"o":{"k":1,"in":{"d":2}},"ts":"2026-01-02T03:04:05Z"}' > rec.ndjson
}

# select LIST EXPECTED: the record as `sstream-map --select LIST` writes it.
select_is() {
  run -0 --separate-stderr sstream-map --data-only --select "$1" < rec.ndjson
  assert_stderr_empty
  assert_output "$2"
}

# result EXPR EXPECTED: the value of EXPR as the page shows it (a JSON token,
# or null for a column that is left out).
result() {
  if [[ "$2" == null ]]; then
    select_is "$1 AS r" '{}'
  else
    select_is "$1 AS r" "{\"r\":$2}"
  fi
}

@test "the EXAMPLES table of sstream-expr(7)" {
  select_is 'n + 1 AS r' '{"r":6}'
  select_is 'n / 2 AS r, n % 3 AS m' '{"r":2.5,"m":2}'
  select_is "s || '-' || n AS r" '{"r":"abc-5"}'
  select_is 'n IN (1, null) AS r' '{}'
  select_is 'z IS NULL AS r, z = 1 AS e' '{"r":true}'
  select_is 'arr[2].k AS r, o.in.d AS d' '{"r":"v","d":2}'
  select_is 'CAST(ts AS TIMESTAMP) AS r' '{"r":"2026-01-02T03:04:05.000Z"}'
  select_is 'CAST(s AS INT) AS r' '{}'
  select_is 'size(arr) AS r' '{"r":3}'
  select_is 'upper(s) AS r, length(s) AS l' '{"r":"ABC","l":3}'
}

@test "literals, operators and three-valued logic as sstream-expr(7) shows them" {
  result 'INTERVAL 5 SECONDS' 5000
  result "INTERVAL '2' MINUTE" 120000
  result "INTERVAL '1h30m'" 5400000
  result "TIMESTAMP '2026-01-02 03:04:05' + INTERVAL 1 HOUR" '"2026-01-02T04:04:05.000Z"'
  result "'abc' || '-' || 5" '"abc-5"'
  result '-3 % 2' -1
  result '5 / 2' 2.5
  result '10 / 2' 5
  result '1e16' '1e+16'
  result '5 IN (1, 5, 7)' true
  result '5 IN (5, null)' true
  result '5 NOT IN (1, null)' null
  result '5 BETWEEN null AND 4' false
  result '5 BETWEEN null AND 9' null
  result "'héllo' LIKE 'h_llo'" true
  result "'5x' LIKE '5\\\\%'" false
  result "'5%' LIKE '5\\\\%'" true
  result "CASE WHEN 5 > 3 THEN 'big' ELSE 'small' END" '"big"'
  result "CASE 5 WHEN 1 THEN 'one' WHEN 5 THEN 'five' END" '"five"'
}

@test "CAST as sstream-expr(7) shows it" {
  result "CAST('-3.7' AS BIGINT)" -3
  result "CAST('2.5e1' AS FLOAT)" 25
  result 'CAST(0 AS TIMESTAMP)' '"1970-01-01T00:00:00.000Z"'
  result "CAST('maybe' AS BOOLEAN)" null
  result "CAST(DATE '2026-01-02' AS STRING)" '"2026-01-02 00:00:00"'
}

@test "the function examples of sstream-expr(7)" {
  result "lower('SparkSql')" '"sparksql"'
  result "length('Spark SQL ')" 10
  result "substr('Spark SQL', -3)" '"SQL"'
  result "concat('Spark', 'SQL')" '"SparkSQL"'
  result "concat_ws('-', 'abc', null, 5)" '"abc-5"'
  result "trim('    SparkSQL   ')" '"SparkSQL"'
  result "split('oneAtwoBthreeC', '[ABC]')" '["one","two","three",""]'
  result "replace('ABCabc', 'abc', 'DEF')" '"ABCDEF"'
  result "regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 2)" '"200"'
  result "regexp_replace('a-b', '(\\\\w)-(\\\\w)', '\$2-\$1')" '"b-a"'
  result 'abs(-3)' 3
  result 'round(-2.5)' -3
  result 'round(2.675, 2)' 2.68
  result 'floor(-0.1)' -1
  result 'pow(2, 10)' 1024
  result 'sqrt(4)' 2
  result 'log10(100)' 2
  result 'exp(0)' 1
  result 'greatest(null, 1, 3)' 3
  result 'coalesce(null, 5, 7)' 5
  result "if(5 > 1, 'yes', 'no')" '"yes"'
  result "nvl(null, 'x')" '"x"'
  result 'nullif(5, 5)' null
  result "to_timestamp('2016-12-31', 'yyyy-MM-dd')" '"2016-12-31T00:00:00.000Z"'
  result "unix_timestamp('2016-04-08', 'yyyy-MM-dd')" 1460073600
  result 'from_unixtime(1460073600)' '"2016-04-08 00:00:00"'
  result "date_format('2026-01-02T03:04:05Z', 'yyyy/MM/dd hh:mm:ss a')" '"2026/01/02 03:04:05 AM"'
  result "date_trunc('MM', '2015-03-05T09:32:05.359Z')" '"2015-03-01T00:00:00.000Z"'
  result "now() > TIMESTAMP '2000-01-01'" true
  result 'current_date() <= now()' true
  result "to_json('abc')" '"\"abc\""'
  result "from_json('{\"a\":[1,2]}').a[1]" 2
  result "size(split('a,b,,c', ','))" 4
  result 'hash(null)' 42
  result "md5('Spark')" '"8cde774d6f7333752ed72cacddb05126"'
  result "sha2('abc', 224)" '"23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"'
}

@test "the differences from Spark listed in sstream-expr(7), and where sstream follows Spark" {
  result '9007199254740993' 9007199254740992
  result '0.1 + 0.2' 0.30000000000000004
  result '1e308 * 10' null
  result "NOT 'x'" null
  result '1 AND true' null
  result "size('abc')" null
  result 'true + 1' 2
  # As Spark:
  result "split('a,b,,', ',', 0)" '["a","b","",""]'
  result 'true = 1' true
  result "'5x' LIKE '5\\%'" false
  result "'5%' LIKE '5\\%'" true
  result 'CAST(3e10 AS INT)' 2147483647
}

@test "every function of the table is documented in sstream-expr(7)" {
  local page="$SSTREAM_SOURCE_DIR/man/sstream-expr.7" fn missing=()
  # The names, as the function table in lib/src/ops/expr_functions.cc lists them.
  run -0 sed -n 's/^ *{"\([a-z_0-9]*\)", -\{0,1\}[0-9].*/\1/p' \
    "$SSTREAM_SOURCE_DIR/lib/src/ops/expr_functions.cc"
  [[ ${#lines[@]} -gt 40 ]] || fail "read only ${#lines[@]} function names"
  for fn in "${lines[@]}"; do
    grep -qF -e "\\fB$fn(" -e "\\fB$fn\\fR" "$page" || missing+=("$fn")
  done
  [[ ${#missing[@]} -eq 0 ]] || fail "not in sstream-expr(7): ${missing[*]}"
}
