"""The stack of active traces (``jit``, ``vmap``): every primitive call goes to the innermost.

A trace records each call as an equation and evaluates it eagerly; see ``core/jit.py``.
"""

__all__ = ["TRACES"]

TRACES = []
