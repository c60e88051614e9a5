"""Witness statements received by the service (record.md §REC-10, issue 13 item 3).

A witness the manifest declares posts a signed statement of what it checked
at the opening, the close, the sealing, the opening of the seals or the
decryption. :mod:`.service` checks every field where it enters and appends
the accepted statement as a ``statement`` leaf of the log; :mod:`.tables`
keeps one row per (witness, event), so a replay is refused by the database
too; :mod:`.routes` is the thin HTTP route.
"""
