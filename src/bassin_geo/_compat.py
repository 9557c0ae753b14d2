"""Deprecation shims: old call forms keep working for one release, with a warning.

When an option becomes keyword-only or changes name, the public function is decorated so
that code written for the previous release still runs and is told, once per call site,
what to write instead. The shims are removed in the release named in the warning.

Examples
--------
>>> import warnings
>>> @keyword_only(1, ("unit",))
... def length(value, *, unit="m"):
...     return f"{value} {unit}"
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     length(3, "km")
'3 km'
>>> "unit='km'" in str(caught[0].message)
True
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

__all__ = ["REMOVAL", "keyword_only", "renamed"]

P = ParamSpec("P")
R = TypeVar("R")

#: The release in which the shims below disappear.
REMOVAL = "0.3"


def keyword_only(
    n_positional: int, old_order: tuple[str, ...]
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept options that used to be positional, passed by position, with a FutureWarning.

    Parameters
    ----------
    n_positional : int
        How many arguments stay positional.
    old_order : tuple of str
        The names of the options that used to follow them, in their old order.

    Returns
    -------
    callable
        A decorator for the function, whose signature lists the options as keyword-only.

    Examples
    --------
    >>> import warnings
    >>> @keyword_only(1, ("k",))
    ... def closest(places, *, k=1):
    ...     return k
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     closest("Arenberg", 3)
    3
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            extra = args[n_positional:]
            if extra:
                if len(extra) > len(old_order):
                    msg = (
                        f"{func.__name__}() takes {n_positional} positional arguments but "
                        f"{len(args)} were given"
                    )
                    raise TypeError(msg)
                moved = dict(zip(old_order, extra, strict=False))
                twice = sorted(set(moved) & set(kwargs))
                if twice:
                    msg = f"{func.__name__}() got multiple values for {', '.join(twice)}"
                    raise TypeError(msg)
                spelled = ", ".join(f"{k}={v!r:.40}" for k, v in moved.items())
                warnings.warn(
                    f"{func.__name__}(): passing {', '.join(moved)} by position is deprecated "
                    f"and stops working in bassin_geo {REMOVAL}; write {spelled}",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs.update(moved)
                args = args[:n_positional]
            return func(*args, **kwargs)

        return wrapper

    return decorate


def renamed(**old_to_new: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept an option under its old name, with a FutureWarning that gives the new one.

    Parameters
    ----------
    **old_to_new : str
        Each old keyword and the name that replaces it.

    Returns
    -------
    callable
        A decorator for the function.

    Examples
    --------
    >>> import warnings
    >>> @renamed(km_step="step_km")
    ... def markers(route, *, step_km=1.0):
    ...     return step_km
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     markers("stage", km_step=5.0)
    5.0
    >>> "renamed step_km=" in str(caught[0].message)
    True
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        msg = f"{func.__name__}() got both {old}= (old name) and {new}="
                        raise TypeError(msg)
                    warnings.warn(
                        f"{func.__name__}(): {old}= is renamed {new}= and the old name stops "
                        f"working in bassin_geo {REMOVAL}",
                        FutureWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate
