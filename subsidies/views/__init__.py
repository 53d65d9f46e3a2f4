"""Pages of subsidy claims: the institution claims and submits (claims.py); the county or city reviews the whole
package and sends it to public notice (review.py), runs phone follow-ups and spot checks (checks.py); finance
records payments (payments.py). Every page asks the policy (core.policy) through its `permission`; every object is
fetched through a scoped selector (out of scope = 404); every write is one service call, whose workflow check
says whether the act is allowed now."""
