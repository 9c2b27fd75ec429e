"""Fixtures of the planflow-webhook tests (defined in pfwebhook_support, a uniquely named module)."""

from pfwebhook_support import _no_proxy, closed_port, plan

__all__ = ["_no_proxy", "closed_port", "plan"]
