"""The body of ``hub.KerasLayer``, shared by the Keras 3 and Keras 2 classes.

:class:`HubLayerCore` is a mixin: each flavour's class derives from it and from
its Keras ``Layer``, and supplies three hooks (tracking an existing variable,
registering loss callables, the default ``training`` value).
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional

from tfhub import logs
from tfhub._tf import tensorflow
from tfhub.keras import distribution, layer_loading, rules

_log = logs.logger()


def _warn_nothing_to_train(handle: Any) -> None:
    """``trainable=True`` on a model that names no trainable variable trains nothing in it:
    said once, where it is asked for, since ``fit`` would otherwise run without a sign."""
    where = handle if isinstance(handle, str) else type(handle).__name__
    warnings.warn(
        f"hub.KerasLayer({where!r}, trainable=True): the model lists no trainable variables, so "
        "training will change nothing in it. A reusable SavedModel names them in "
        "`trainable_variables`; one saved from a plain tf.Module does not: "
        "`tfhub convert HANDLE DIR` writes a copy that does.", UserWarning, stacklevel=4)


class HubLayerCore:
    """Flavour-independent state and behaviour of ``hub.KerasLayer``."""

    # -- hooks each flavour implements ------------------------------------
    def _hub_track_variable(self, variable: Any, trainable: bool) -> None:
        raise NotImplementedError

    def _hub_register_losses(self, losses: List[Callable[[], Any]]) -> None:
        raise NotImplementedError

    def _hub_default_training(self) -> Any:
        raise NotImplementedError

    def _hub_finish_setup(self) -> None:
        """Called at the end of ``__init__``; a flavour may mark itself built."""

    # -- construction ------------------------------------------------------
    def __init__(self, handle: Any, trainable: bool = False,
                 arguments: Optional[Dict[str, Any]] = None, _sentinel: Any = None,
                 tags: Optional[Iterable[str]] = None, signature: Optional[str] = None,
                 signature_outputs_as_dict: Optional[bool] = None,
                 output_key: Optional[str] = None, output_shape: Any = None,
                 load_options: Any = None, **kwargs: Any) -> None:
        """Wraps a TF Hub model (SavedModel or TF1 Hub format) as a Keras layer.

        Args:
            handle: a model URL or path, or a callable object.
            trainable: whether the model's variables are fine-tuned.
            arguments: extra keyword arguments passed on every call.
            _sentinel: unused; keeps later arguments keyword-only as in
                tensorflow_hub.
            tags: the graph variant to load (string handles only).
            signature: call this SavedModel signature instead of ``__call__``.
            signature_outputs_as_dict: return the signature's whole output dict.
            output_key: return this entry of the signature's outputs.
            output_shape: the output shape without batch dimension, or a nest.
            load_options: ``tf.saved_model.LoadOptions`` (string handles only).
            **kwargs: passed to the Keras ``Layer`` (``name``, ``dtype``...).

        Raises:
            KerasLayerArgumentError: arguments that do not fit together or the model.
            KerasLayerOutputShapeError: ``output_shape`` is not a shape nest.
        """
        super().__init__(trainable=trainable, **kwargs)
        self._hub_setup(handle, trainable, arguments, tags, signature,
                        signature_outputs_as_dict, output_key, output_shape, load_options)
        self._hub_finish_setup()

    def _hub_setup(self, handle: Any, trainable: bool, arguments: Optional[Dict[str, Any]],
                   tags: Optional[Iterable[str]], signature: Optional[str],
                   signature_outputs_as_dict: Optional[bool], output_key: Optional[str],
                   output_shape: Any, load_options: Any) -> None:
        """Loads the handle and applies the rules; called by ``__init__``.

        Raises:
            KerasLayerArgumentError: arguments that do not fit together or
                do not fit the model.
            KerasLayerOutputShapeError: ``output_shape`` is not a shape nest.
        """
        rules.check_callable_handle(handle, tags, load_options)
        self._handle = handle
        self._arguments = dict(arguments or {})
        # Read on every call: Keras 2 keeps _arguments as a tracking wrapper, slow to
        # copy (half of call()'s own time); a plain copy put past Keras' tracking is not.
        vars(self)["_call_kwargs"] = dict(self._arguments)
        self._output_shape = rules.convert_output_shape(output_shape)
        loaded = layer_loading.load_handle(handle, tags, load_options, trainable, signature)
        self._hub_loaded = loaded
        self._settings = rules.signature_settings(
            loaded.is_hub_module_v1, signature, output_key, signature_outputs_as_dict)
        call_signature = None if loaded.tf1_fine_tunable else self._settings.signature
        self._use_signature = bool(call_signature)
        self._func = rules.choose_callable(loaded.obj, handle, call_signature)
        self._has_training_argument = rules.accepts_training(self._func)
        self._warned_no_weights = False
        self._register_weights_and_losses(loaded.obj)
        if trainable and not rules.split_variables(loaded.obj)[0]:
            _warn_nothing_to_train(handle)

    def _register_weights_and_losses(self, obj: Any) -> None:
        # Not kept in an attribute: Keras 2 would track a list of variables
        # assigned to a layer as extra weights, each trainable by its own flag.
        trainable, others = rules.split_variables(obj)
        for variable in trainable:
            self._hub_track_variable(variable, True)
        for variable in others:
            self._hub_track_variable(variable, False)
        self._hub_register_losses([self._gated(loss) for loss in rules.regularization_losses(obj)])

    def _gated(self, loss: Callable[[], Any]) -> Callable[[], Any]:
        """A loss that counts only while the layer is trainable (read lazily).

        Zero is a tensor: Keras 3's ``fit`` reads the ``dtype`` of every loss.
        """
        def gated_loss() -> Any:
            return loss() if self.trainable else tensorflow().zeros([])
        return gated_loss

    # -- calling -------------------------------------------------------------
    def _hub_call(self, inputs: Any, training: Any = None) -> Any:
        """Calls the loaded function; the body of ``call``."""
        distribution.check_variables_in_scope(self._hub_loaded.obj, self.name)
        if self.trainable:
            self._check_trainable()
        args, kwargs = rules.call_arguments(inputs, self._call_kwargs, self._use_signature)
        if self._has_training_argument:
            result = self._call_with_training(args, kwargs, training)
        else:
            result = self._func(*args, **kwargs)
        result = rules.select_output(result, self._settings.output_key)
        return rules.apply_output_shape(result, inputs, self._output_shape)

    def _check_trainable(self) -> None:
        rules.check_trainable_call(self._hub_loaded.is_hub_module_v1,
                                   self._hub_loaded.tf1_fine_tunable, self._settings.signature)
        if not self.trainable_weights and not self._warned_no_weights:
            _log.error("hub.KerasLayer is trainable but has zero trainable weights.")
            self._warned_no_weights = True

    def _call_with_training(self, args: tuple, kwargs: Dict[str, Any], training: Any) -> Any:
        if not self.trainable:
            training = False  # like BatchNormalization: frozen layers infer
        elif training is None:
            training = self._hub_default_training()
        static = tensorflow().get_static_value(training) if training is not None else False
        if static is not None:
            return self._func(*args, training=bool(static), **kwargs)
        return tensorflow().cond(
            tensorflow().cast(training, "bool"),
            lambda: self._func(*args, training=True, **kwargs),
            lambda: self._func(*args, training=False, **kwargs))

    # -- config and introspection -------------------------------------------
    def _hub_config(self) -> Dict[str, Any]:
        """The hub-specific entries of ``get_config``."""
        return rules.layer_config(self._handle, self._output_shape, self._arguments,
                                  self._settings)

    @property
    def resolved_object(self) -> Any:
        """The loaded object (or the callable handle)."""
        return self._hub_loaded.obj
