"""The foundation every app builds on: the small rules that used to be written out in each
app, each written once here.

- ``ids``: parsing ids (UUIDs) from the wire.
- ``params``: boolean and integer query parameters.
- ``bodies``: unwrapping ``{"server": {...}}`` request bodies.
- ``timestamps``: datetimes in each service's wire format.
- ``principal``: ``Caller``, who asks, as the service layer sees it.
- ``microversions``: the compute API's microversions, by name.
- ``exceptions``: the error vocabulary of the service layer.
- ``errors``: that vocabulary mapped to each OpenStack service's error body.
- ``policy``: the named policy rules and their enforcement.
- ``paging``: limit/marker keyset paging, newest first.
- ``unset``: ``UNSET``, an attribute a request did not give.
- ``quotas``: the quota rule (fits, overruns, limits below usage).
- ``views``: the base API views (compute microversion handling, public version documents).

Nothing here imports an app, so every app may import it.
"""
