"""tf.distribute checks for ``hub.KerasLayer``."""

from __future__ import annotations

from typing import Any, Sequence

from tfhub import errors
from tfhub._tf import tensorflow


def check_variables_in_scope(variables: Sequence[Any], layer_name: str) -> None:
    """Refuses variables made outside the strategy that is now in scope.

    Raises:
        DistributionScopeError: a variable was created outside the active
            strategy's scope (e.g. the layer was built before ``scope()``).
    """
    tf = tensorflow()
    if not variables or not tf.distribute.has_strategy():
        return
    strategy = tf.distribute.get_strategy()
    for variable in variables:
        if not strategy.extended.variable_created_in_scope(variable):
            raise errors.DistributionScopeError(
                f"hub.KerasLayer {layer_name!r} is used under {type(strategy).__name__}, "
                f"but its variable {variable.name!r} was created outside that strategy's "
                "scope. Construct the layer (and the model holding it) inside "
                "`with strategy.scope():`, e.g.\n"
                "    with strategy.scope():\n"
                "        model = keras.Sequential([..., hub.KerasLayer(handle), ...])")
