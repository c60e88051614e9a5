"""Seals of the media and the second medium's use (storage.md §ST-6.4–§ST-8).

``media`` computes each medium's digest; ``service`` prepares, records and checks
seals and their opening (the tally refuses to run on a sealed election until a
passing unseal is recorded); ``rebuild`` restores the ballot store from the
second medium by a recorded two-person decision. The statements themselves
(signed by officials and witnesses) are :mod:`tohyo.record.seals`.
"""
