"""The hosts service layer: what the API, the Django admin and management commands call to
read and change aggregates, Nova's Service records, hypervisors and availability zones.

Every function takes the ``Caller`` first and enforces its policy rule (``core.policy``)
before anything else, then plain typed arguments; none sees a request, a body or a
microversion. Refusals are ``core.exceptions`` errors carrying their HTTP status; the rules a
row must satisfy are the models' ``clean()`` (hosts.models), run here through ``validation``.

- ``aggregates``: host aggregates (and through them availability zones);
- ``service_records``: Nova's Service records (os-services);
- ``hypervisors``: compute nodes as os-hypervisors shows them, and their allocation ratios
  and reserves (their inventory in Placement's terms);
- ``zones``: availability zones as os-availability-zone lists them;
- ``legacy_hosts``: the deprecated os-hosts API (below 2.43).
"""
