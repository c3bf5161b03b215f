"""A dict whose keys read as attributes, for results that are mostly numbers."""

__all__ = ["Result"]


class Result(dict):
    """``r["losses"]`` and ``r.losses`` are the same; JSON-friendly and printable.

    Example:
        >>> Result(top=3.0).top
        3.0
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None
