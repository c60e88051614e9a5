"""The officials' console: elections run from a browser, Japanese first (docs/spec/console.md).

Server-rendered pages at ``/{lang}/official/…`` on the booth's templates, CSP and
nonce discipline, signed in with the officials' accounts and roles
(authentication.md §AUTH-OFF). What lives here:

* :mod:`.pages` — the page context, rendering, the guards every page and form goes through;
* :mod:`.nav` — the console's pages, who may open each (the role matrix);
* :mod:`.forms` — strict parsing of the console's HTML forms;
* :mod:`.routes` — sign-in, sign-out and the home page; each capability adds its own
  routes module beside it and registers it in :func:`.routes.install`.

The JSON API of the officials (``/official/sign-in``, approvals, audit) stays in
``app/web/routes/official.py``; the console calls the same services.
"""
