"""Request parsing for the compute API, one module per resource (as Nova's
nova/api/openstack/compute/schemas/): each turns a request body or query into the typed
arguments of a service function, deciding by microversion what is allowed, and answers a
malformed request with Nova's 400. The service layer never sees a body or a microversion."""
