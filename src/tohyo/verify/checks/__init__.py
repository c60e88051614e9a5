"""The verifier's checks, by part of the record: setup, log, ballots, tally (record.md §REC-8)."""
