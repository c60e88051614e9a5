"""Official results: paper-count entry and the combined result (docs/spec/results.md).

* :mod:`.tables` — pending double entries and accepted paper counts;
* :mod:`.errors` — the typed refusals, naming the offending fields;
* :mod:`.paper` — double entry by two administrators; an accepted count is
  signed with the log key and appended to the log as a ``paper_count`` leaf;
* :mod:`.official` — the official result of a tallied election (internet
  tally + accepted paper counts), as the record's ``official.json``.

The CLI (``tohyo paper …``) and the officials' JSON API call these services.
"""
