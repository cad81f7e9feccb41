"""OpenAPI descriptions of the APIs (drf-spectacular): views name their operations
(``types.Operation``), ``autoschema`` adds what a service's operations share, ``convert``
turns Nova's JSON schemas into OpenAPI 3.0 ones, ``services`` holds the shared parts."""
