"""tf.distribute checks for ``hub.KerasLayer``."""

from __future__ import annotations

from typing import Any

from tfhub import errors
from tfhub._tf import tensorflow


def check_variables_in_scope(obj: Any, layer_name: str) -> None:
    """Refuses variables of ``obj`` made outside the strategy now in scope.

    Raises:
        DistributionScopeError: a variable was created outside the active
            strategy's scope (e.g. the layer was built before ``scope()``).
    """
    tf = tensorflow()
    if not tf.distribute.has_strategy():
        return
    variables = getattr(obj, "variables", None) or []
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
