"""Authentication of voters and officials (docs/spec/authentication.md).

Kept import-light: each module imports what it needs, so the test CA can use
:mod:`tohyo.app.auth.jpki_profile` without the web stack.
"""
