"""What a ``libvirtError`` means for the driver: a lost connection (reconnect and retry), no
such domain, a domain in the wrong state, or an operation the hypervisor cannot do."""

from __future__ import annotations

import libvirt

# libvirt's default handler prints every error to stderr, even handled ones.
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)

#: Errors that mean "this driver/hypervisor cannot do that at all".
UNSUPPORTED_CODES = frozenset(
    {libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED, libvirt.VIR_ERR_OPERATION_UNSUPPORTED}
)


def is_connection_error(exc: libvirt.libvirtError) -> bool:
    code = exc.get_error_code()
    if code in (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_ERR_INVALID_CONN):
        return True
    return code == libvirt.VIR_ERR_INTERNAL_ERROR and exc.get_error_domain() in (
        libvirt.VIR_FROM_REMOTE,
        libvirt.VIR_FROM_RPC,
    )


def is_no_domain(exc: libvirt.libvirtError) -> bool:
    return exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN


def is_not_running(exc: libvirt.libvirtError) -> bool:
    """The error libvirt gives for an operation on a domain in the wrong state."""
    return exc.get_error_code() in (
        libvirt.VIR_ERR_OPERATION_INVALID,
        libvirt.VIR_ERR_INTERNAL_ERROR,
    ) and not is_connection_error(exc)
