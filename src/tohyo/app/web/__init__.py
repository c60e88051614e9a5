"""The HTTP layer of the election service: dependencies and routers."""
