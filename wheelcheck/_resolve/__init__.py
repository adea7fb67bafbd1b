"""Which release each requirement installs on each target.

Direct pins, lockfiles, closed pin sets, full trees.
"""
