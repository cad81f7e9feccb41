"""The conformance harness: Tempest's compute API tests against a live novasite (`make conformance`).

`cloud` seeds the conformance cloud and takes its inventory (run with novasite's virtualenv and
Django); `tempest_conf` writes tempest.conf from what the live cloud answers; `skips` reads the
skip list; `summary` reads Tempest's results (its subunit stream) and decides the exit status;
`leaks` compares the inventory after the run with the one taken after seeding."""
