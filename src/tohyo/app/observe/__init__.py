"""The observers' room: a live dashboard of the ballot box (docs/spec/observe.md).

Anyone can watch the current signed head, the witnesses' cosignatures and
their lag, ballots cast per 15-minute bucket, paper votes in aggregate, the
key ceremony's and the tally's progress, and alerts; an official with the
witness role sees a richer view. Pages render a complete snapshot without
JavaScript; a Server-Sent Events stream keeps them current, throttled and
bounded per client and in total.

Modules: :mod:`witnesses` (which witnesses the dashboard follows),
:mod:`snapshot` (what is shown), :mod:`streams` (throttling and connection
bounds), :mod:`routes` (pages, JSON and the event stream).
"""
