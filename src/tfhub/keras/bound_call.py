"""``call`` as a method AutoGraph leaves alone, bound once per layer.

Keras 2 (``tf_keras``) wraps ``layer.call`` on every call to add argument values to
error messages, and that wrapping reads the signature of what it wraps: for a bound
method, ``inspect`` rebuilds the signature without ``self`` twice per call, about a
fifth of ``tf_keras``'s own per-call work. This descriptor hands out, per layer, one
callable already bound and carrying its final signature, so that reading is a lookup.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Optional

from tfhub._tf import tensorflow

# Where each layer keeps its bound call (in its __dict__, past Keras' attribute tracking).
_SLOT = "_hub_bound_call"


def _unconverted(func: Callable[..., Any], signature: inspect.Signature) -> Callable[..., Any]:
    """``func`` marked for AutoGraph to leave alone, showing ``signature``."""
    wrapped = tensorflow().autograph.experimental.do_not_convert(func)
    wrapped.__signature__ = signature
    return wrapped


class UnconvertedCall:
    """A ``call`` method that AutoGraph leaves alone, its signature visible to Keras 2.

    Not converted: ``call`` has no tensor-dependent Python control flow (training goes
    through tf.cond), and AutoGraph would re-raise our errors as StagingError instead
    of their own (ValueError) types. tf_keras reads ``call``'s arguments with
    ``inspect.getfullargspec``, which does not look through the wrapper: without the
    signature, ``layer(inputs=x)`` fails in tf_keras with an IndexError.
    """

    def __init__(self, func: Callable[..., Any]) -> None:
        self._func = func
        signature = inspect.signature(func)
        self._bound_signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        self._unbound = _unconverted(func, signature)  # what the class shows

    def __get__(self, instance: Any, owner: Optional[type] = None) -> Callable[..., Any]:
        if instance is None:
            return self._unbound
        bound = instance.__dict__.get(_SLOT)
        # A copied layer (copy.deepcopy) brings its original's: bind again.
        if bound is None or bound._hub_owner is not instance or bound._hub_source is not self:
            bound = _unconverted(self._func.__get__(instance, owner), self._bound_signature)
            bound._hub_owner = instance  # type: ignore[attr-defined]
            bound._hub_source = self  # type: ignore[attr-defined]
            instance.__dict__[_SLOT] = bound
        return bound
