// Option-text helpers (ops/text_util.h): commas and AS count only outside
// quotes (with backslash escapes) and parentheses.
#include "ops/text_util.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sstream::text {
namespace {

TEST(TextUtilTest, SplitTopLevelSkipsQuotesAndParentheses) {
  EXPECT_EQ(SplitTopLevel(" a , f(b, c), 'x,y', \"it\\\"s, ok\", `p,q` "),
            (std::vector<std::string>{"a", "f(b, c)", "'x,y'", "\"it\\\"s, ok\"", "`p,q`"}));
  EXPECT_EQ(SplitTopLevel("'it\\'s', b"), (std::vector<std::string>{"'it\\'s'", "b"}));
  EXPECT_EQ(SplitTopLevel(""), (std::vector<std::string>{""}));
}

TEST(TextUtilTest, SplitAliasTakesTheLastTopLevelAs) {
  std::string expr, alias;
  SplitAlias("sum(price * qty) AS revenue", &expr, &alias);
  EXPECT_EQ(expr, "sum(price * qty)");
  EXPECT_EQ(alias, "revenue");
  SplitAlias("lower(user) as `user name`", &expr, &alias);
  EXPECT_EQ(expr, "lower(user)");
  EXPECT_EQ(alias, "user name");
  SplitAlias("CAST(x AS INT)", &expr, &alias);
  EXPECT_EQ(expr, "CAST(x AS INT)") << "an AS inside parentheses is not an alias";
  EXPECT_TRUE(alias.empty());
  SplitAlias("concat(a, ' as ') ", &expr, &alias);
  EXPECT_EQ(expr, "concat(a, ' as ')");
  EXPECT_TRUE(alias.empty());
  SplitAlias("' as ' AS t", &expr, &alias);
  EXPECT_EQ(expr, "' as '");
  EXPECT_EQ(alias, "t");
}

}  // namespace
}  // namespace sstream::text
