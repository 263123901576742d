"""Every bound on the engine's work, in one place, each with the reason it exists.

The invariant they give (numbers.py enforces it): no operation creates or consumes more digits
than a limit below allows, and each checks its operands' sizes *before* doing the work, so one
operation costs at most about 100 µs whatever its operands, and a line, which holds at most about
MAX_EXPRESSION_LENGTH / 2 operations, at most 50 ms (tests/engine/test_engine_cost.py searches
for a counterexample).
"""

# Longer input is not something a person types into a calculator; checked before any other work.
MAX_EXPRESSION_LENGTH = 1000
# Parentheses, calls and signed exponents nested deeper than this are refused. A level costs about
# 8 Python frames in the parser, so this stays ~750 frames below Python's recursion limit even
# when the caller (Django, Channels) is itself deep in the stack.
MAX_NESTING_DEPTH = 32
# Exact integers up to this many digits are kept exactly and shown in full; beyond it they become
# WORK_PRECISION-digit approximations. Adding two costs about 1 µs; a product or power reaching
# this size about 40 µs (10,000 digits: 140 µs, 250 of them in one line 75 ms).
MAX_EXACT_DIGITS = 5_000
# An exact fraction's numerator and denominator together have at most this many digits (beyond,
# it is an approximation): every fraction operation runs gcds, whose cost is quadratic in size.
MAX_EXACT_FRACTION_DIGITS = 2_000
# Division, remainder, gcd, fraction arithmetic and exact roots cost about the product of their
# operands' sizes; above this many digits² (≈ 50 µs) the exact path is not taken.
MAX_EXACT_WORK = 1_000_000
# n! is computed exactly up to this n (2,568 digits, ≈ 30 µs); beyond it Stirling's series.
MAX_EXACT_FACTORIAL = 1000
# Significant digits of every inexact computation; the spec asks for at least 30.
WORK_PRECISION = 40
# Digits an internal computation may carry beyond WORK_PRECISION: sinh and tanh of a small x
# (cancelling up to 25 digits, plus 10 guard digits) and the deepest nesting of guard digits
# (acos → asin → atan, 10 each) fit; more would cost time for digits nobody sees.
MAX_GUARD_DIGITS = 40
# Significant digits shown for inexact results.
DISPLAY_DIGITS = 15
# Exact non-integers (e.g. 0.1234567890123456789) are shown in full up to this many significant
# digits, and rounded to DISPLAY_DIGITS beyond it, so a display line stays readable.
MAX_EXACT_DISPLAY_DIGITS = 40
# Magnitudes beyond 1e±MAX_DECIMAL_EXPONENT are "too large"/"too small": Decimal exponents stay
# machine integers and no conversion can ever be asked for more digits than memory holds.
MAX_DECIMAL_EXPONENT = 10**15
# A factorial's argument above this would overflow MAX_DECIMAL_EXPONENT anyway (n! ~ 10^(n log n)).
MAX_FACTORIAL_ARGUMENT = 10**14
# sin/cos/tan reduce their argument modulo pi using the digits of pi we carry (300); arguments up
# to 10^MAX_TRIG_EXPONENT leave WORK_PRECISION digits after reduction. The one computation allowed
# beyond MAX_GUARD_DIGITS: it carries this many more digits (see decimal_math._sin_cos).
MAX_TRIG_EXPONENT = 250
# round(x, n) builds 10^n; larger n cannot change an exact result with MAX_EXACT_DIGITS digits.
MAX_ROUND_DIGITS = MAX_EXACT_DIGITS
# x^(p/q) is tried as an exact root for denominators up to this (4^0.5 = 2, 8^(1/3) = 2).
MAX_EXACT_ROOT_DEGREE = 64
# The stored text of any value (codec.dump_value) is at most this long: an exact integer of
# MAX_EXACT_DIGITS digits, its kind and room for a unit.
MAX_STORED_CHARS = MAX_EXACT_DIGITS + 100
# Parsed lines (tree and interpretation) kept for re-evaluation: a live preview re-sends the same
# text often. At most this many trees of at most MAX_EXPRESSION_LENGTH characters each.
PARSE_CACHE_SIZE = 512
# Unit targets read lately (`km/h` in `… to km/h`), by their text: lines converting to the same
# units share one reading. At most this many, each at most MAX_EXPRESSION_LENGTH characters.
TARGET_CACHE_SIZE = 256
# Runs of units kept by their text (parser._UNIT_RUNS: `m/s^2`), emptied when full.
RUN_CACHE_SIZE = 256
# A compound unit has at most this many different units (kg·m^2/(s^2·K) has 4) and no power beyond
# ±MAX_UNIT_EXPONENT: its exact scale then has at most 8 × 12 × 30 ≈ 2,900 digits (Q = 10^30).
MAX_UNIT_TERMS = 8
MAX_UNIT_EXPONENT = 12
# An unknown name gets a "did you mean" suggestion only up to this length: the closest-match
# search costs the name's length times the table's size.
MAX_SUGGESTED_NAME_LENGTH = 24
