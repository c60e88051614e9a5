"""Use cases of the election service; each owns its transactions (STYLE §12).

Services take a :class:`~tohyo.app.services.runtime.Runtime` first and raise
:class:`~tohyo.app.errors.ServiceError` subclasses with stable codes.
"""
