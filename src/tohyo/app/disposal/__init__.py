"""Retention and disposal of personal data (docs/spec/manifest.md §MAN-3.1; docs/adr/0056).

What lives here:

* :mod:`~tohyo.app.disposal.registry` — the registry of *disposers*: each names
  one kind of personal data an election holds and deletes it. Later rooms
  (bookings, registers) add theirs by naming their module in
  :data:`~tohyo.app.disposal.registry.DISPOSER_MODULES`.
* :mod:`~tohyo.app.disposal.builtin` — the disposers of the data that exists
  today: roll rows, codes, sessions, roll links, outer envelopes (with their
  certificates), challenges, OIDC transactions, rate-limit rows, letters.
* :mod:`~tohyo.app.disposal.service` — ``dispose_election``: after the
  manifest's ``retain_until`` and with two officials' approval, runs every
  disposer in one transaction, keeps the public record, moves the election to
  ``disposed`` and writes a :class:`~tohyo.app.disposal.certificate.DisposalCertificate`
  into both audit logs (``tohyo election dispose``).
* :mod:`~tohyo.app.disposal.purge` — the periodic task inside the service that
  deletes expired sessions, challenges, OIDC transactions and rate-limit rows.
"""
