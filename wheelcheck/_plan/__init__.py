"""`wheelcheck plan`: the smallest change that makes a build compile-free on the chosen
targets together (issue 18).

A step after the check: `run.py` runs the check (without sizes) for today's versions and
build needs, `baseline.py` reads them, `search.py` (over `provider.py` and `candidates.py`)
looks for a wheel-only set with resolvelib, and `result.py` says it as a `Plan`.
"""
