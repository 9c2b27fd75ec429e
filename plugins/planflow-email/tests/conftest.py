"""Fixtures of the planflow-email tests (defined in pfemail_support, a uniquely named module)."""

from pfemail_support import certificate, closed_port, plan, server, silent_port

__all__ = ["certificate", "closed_port", "plan", "server", "silent_port"]
