"""The election service run by a municipality's election commission.

Only :mod:`tohyo.app.domain` is importable without the ``[server]`` extra: it is
pure (no I/O, no database, no web) and holds the election state machine, the
age and eligibility rules and the voter-roll import.
"""
