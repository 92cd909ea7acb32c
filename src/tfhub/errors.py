"""Every exception tfhub raises.

Each class derives from :class:`TfHubError` and from the built-in exception a
caller of tensorflow_hub would already catch for the same failure.
"""

from __future__ import annotations

import errno

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Tuple, Type


# Built-in bases whose instances Exception.__init__ initialises exactly as their own.
_PLAIN_BUILTINS = (ValueError, TypeError, RuntimeError, KeyError, AssertionError)


class TfHubError(Exception):
    """Root of tfhub's exceptions."""

    def __init_subclass__(cls, **kwargs):
        """Keeps the class when raised while a ``tf.function`` is traced.

        AutoGraph re-raises an exception from traced code as its own type only
        if that type's ``__init__`` is ``Exception.__init__`` (or a few
        built-ins); anything else becomes a ``StagingError`` that no
        ``except ValueError`` catches. Subclasses of plain built-ins without an
        ``__init__`` of their own therefore use ``Exception.__init__``, which is
        what those built-ins run anyway.
        """
        super().__init_subclass__(**kwargs)
        builtin_bases = [b for b in cls.__mro__ if b.__module__ == "builtins"
                         and b not in (object, BaseException, Exception)]
        plain = all(issubclass(b, _PLAIN_BUILTINS) or b is LookupError for b in builtin_bases)
        if plain and not any("__init__" in vars(k) for k in cls.__mro__
                             if k.__module__ != "builtins"):
            cls.__init__ = Exception.__init__


def one_line(detail: object) -> str:
    """An exception's (or any) text folded onto one line.

    tarfile, zlib and urllib3 put newlines in their messages; a tfhub message
    quoting one must stay one complete line (the CLI prints one line per error).
    """
    return " ".join(str(detail).split())


_ALSO_TF: Dict[Tuple[type, type], type] = {}


def also_tf_error(error: TfHubError, tf_class: Type[Any]) -> TfHubError:
    """``error`` as an instance of a class deriving from its own and from ``tf_class``.

    For failures where tensorflow_hub let a ``tf.errors.OpError`` subclass through (say
    ``tf.errors.NotFoundError``), so callers catching that keep working. The caller passes
    the TensorFlow class: this module never imports TensorFlow.
    """
    key = (type(error), tf_class)
    if key not in _ALSO_TF:
        _ALSO_TF[key] = type(type(error).__name__, key, {"__module__": __name__})
    combined = _ALSO_TF[key](*error.args)
    tf_class.__init__(combined, None, None, str(error))  # OpError(node_def, op, message)
    combined.args = error.args
    return combined


class ConfigError(TfHubError, ValueError):
    """An environment setting holds a value tfhub cannot use."""


class HandleError(TfHubError, ValueError):
    """A handle is not of a form tfhub can resolve."""


class ResolveError(TfHubError, OSError):
    """A handle could not be turned into a local model directory."""


class HandleNotFoundError(ResolveError, FileNotFoundError):
    """A local (or gfile) handle names a path that does not exist."""


class OfflineCacheMissError(ResolveError, FileNotFoundError):
    """``TFHUB_OFFLINE`` is set and the handle is not in the cache."""


class DownloadError(ResolveError):
    """An HTTP download failed (status, connection, truncation, stall)."""

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


class ArchiveError(ResolveError):
    """A downloaded body is not a readable tar archive (or was cut short)."""


class UnsafeArchiveError(TfHubError, ValueError):
    """An archive member would escape the target directory or is not allowed."""


class IntegrityError(ResolveError):
    """Downloaded bytes do not match what was expected of them."""


class CacheError(TfHubError, OSError):
    """The cache directory cannot be used (permissions, disk)."""


class ProtocolError(TfHubError, ValueError):
    """A server answered outside the TF Hub protocol (e.g. the 303 protocol)."""


class ModelFormatError(TfHubError, ValueError):
    """A directory does not hold a model of a known format."""


class TensorFlowMissingError(TfHubError, ImportError):
    """TensorFlow is needed for this call and is not installed."""


class ExtraMissingError(TfHubError, ImportError):
    """A command needs an optional extra (e.g. ``tfhub[serve]``) that is not installed."""


class AddressInUseError(TfHubError, OSError):
    """The server cannot listen where it was asked to (port taken, or not permitted)."""


class KerasLayerArgumentError(TfHubError, ValueError):
    """``hub.KerasLayer`` was given arguments that do not fit together or the model."""


class KerasLayerOutputShapeError(TfHubError, TypeError):
    """``hub.KerasLayer(output_shape=...)`` is not a nest of shapes."""


class KerasLayerConfigError(TfHubError, NotImplementedError):
    """``hub.KerasLayer.get_config`` cannot describe a layer built from a callable."""


class DistributionScopeError(TfHubError, ValueError):
    """A model's variables were created outside the active tf.distribute strategy."""


class Tf1FineTuningError(TfHubError, ValueError):
    """A TF1 Hub format module cannot be loaded for fine-tuning in TF2."""


# --- TF1 Hub format (tfhub.tf1, tfhub.formats) ---------------------------------


class _PlainMessageKeyError(KeyError):
    """A KeyError whose str() is the message itself, not its repr."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ModuleDefError(ModelFormatError):
    """``tfhub_module.pb`` is missing, unreadable, or asks for an unsupported format."""


class ModuleDefNotFoundError(ModuleDefError, FileNotFoundError):
    """A directory given as a TF1 Hub format module has no ``tfhub_module.pb``."""


class UnknownSignatureError(TfHubError, ValueError):
    """A TF1 Hub format module has no signature of the requested name."""


class UnknownGraphVariantError(TfHubError, ValueError, _PlainMessageKeyError):
    """No graph variant of a module has the requested tags.

    A ValueError for ``hub.Module(tags=...)`` callers and a KeyError for
    ``ModuleSpec.get_*_info_dict(tags=...)`` callers, as in tensorflow_hub.
    """


class MissingAttachmentError(TfHubError, _PlainMessageKeyError):
    """``get_attached_message(..., required=True)`` found no message for the key."""


class ModuleCallError(TfHubError, TypeError):
    """Inputs given to a TF1 Hub format module (or its outputs asked) do not fit its signature."""


class ModuleInputValueError(ModuleCallError, ValueError):
    """An input value TensorFlow cannot convert to the signature's dtype (a ``ValueError``
    there, as tensorflow_hub passed it on)."""


class UnsupportedSignatureTypeError(TfHubError, ValueError):
    """A signature holds (or is given) a value type the TF1 Hub format cannot carry."""


class ModuleCreationError(TfHubError, ValueError):
    """``create_module_spec``'s ``module_fn`` built a graph that cannot be a module."""


class ModuleGraphError(TfHubError, RuntimeError):
    """A ``hub.Module`` is used outside the graph (or session) it belongs to, or under eager."""


class ColocationError(TfHubError, ValueError):
    """Applying a module would leave a colocation group with two different meanings."""


class FunctionContextError(TfHubError, NotImplementedError):
    """A module cannot be applied in this function context (e.g. collections on TPU)."""


class ExportExistsError(TfHubError, FileExistsError):
    """An export would overwrite an existing directory; nothing was written."""


class EstimatorMissingError(TfHubError, ImportError):
    """The installed TensorFlow has no Estimator (TF 2.16+ without tensorflow-estimator)."""


class ModuleFileError(TfHubError, OSError):
    """A file of a TF1 Hub format module (``saved_model.pb``, an asset) cannot be read or used."""


class InvalidModuleSpecError(TfHubError, ValueError):
    """``hub.Module`` was given something that is neither a ModuleSpec nor a handle."""


# --- Hosting and offline use (tfhub.server, tfhub.resolving.bundles) ------------


class BundleError(TfHubError, ValueError):
    """A cache bundle is malformed, unsafe, or does not match its manifest."""


class BundleNotFoundError(BundleError, FileNotFoundError):
    """The bundle file to import does not exist (a typo, not a damaged bundle)."""


class ServedPathError(TfHubError, PermissionError):
    """A URL path asks for something outside the served root."""


class ServedModelNotFoundError(TfHubError, FileNotFoundError):
    """A URL path names no model directory under the served root."""


class UpstreamError(TfHubError, OSError):
    """A pull-through mirror could not get a model from its upstream hub.

    ``http_status`` is what the mirror answers its client: 404 (no such model
    upstream, or not a handle the mirror fetches), 502 (the upstream failed or
    sent an archive that was refused), 503 (too many fetches waiting), 504 (the
    upstream timed out).
    """

    def __init__(self, message: str, http_status: int):
        super().__init__(message)
        self.http_status = http_status


class ModelChangingError(TfHubError, RuntimeError):
    """A served model kept changing while its archive was being built."""


class RangeNotSatisfiableError(TfHubError, ValueError):
    """A ``Range`` request starts beyond the end of the body."""


# --- Model documentation (tfhub.hubdocs) ----------------------------------------


class DocsError(TfHubError, OSError):
    """A documentation tree (markdown files, tag vocabularies) cannot be read."""


class DocsNotFoundError(DocsError, FileNotFoundError):
    """The documentation directory given does not exist."""


class SearchQueryError(TfHubError, ValueError):
    """A catalog search names a facet that does not exist, or a bad offset or limit."""


class CatalogServerError(TfHubError, OSError):
    """``tfhub search`` cannot reach the catalog server, or it answered no catalog."""


# --- Conversion to TF2 SavedModels (tfhub.convert) ------------------------------


class ConversionError(TfHubError, ValueError):
    """A model cannot be converted (every unconvertible part is listed); nothing was written."""


class ConversionVerificationError(ConversionError):
    """The converted model does not compute what the source computes; nothing was written."""


class ConversionTargetExistsError(TfHubError, FileExistsError):
    """The conversion's destination exists and ``overwrite`` was not asked; nothing was written."""


# --- Reliability (tfhub.resolving) ---------------------------------------------


# errno values that mean "no room": a full disk, a file size limit, a quota.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


class DiskFullError(CacheError):
    """The disk holding the cache is full (ENOSPC, EDQUOT, or EFBIG from a file size limit).

    Nothing is left half-written; ``bytes_needed`` is what the failed write
    needed at least, when known.
    """

    def __init__(self, message: str, bytes_needed: Optional[int] = None):
        super().__init__(message)
        self.bytes_needed = bytes_needed

    @classmethod
    def in_cache(cls, root: object, exc: OSError, handle: Optional[str] = None,
                 bytes_needed: Optional[int] = None) -> "DiskFullError":
        """The error for a write into the cache directory ``root`` that met a full disk (or quota, or size limit)."""
        what = f" for '{handle}'" if handle else ""
        needed = f" At least {bytes_needed} more bytes were needed." if bytes_needed else ""
        return cls(
            f"The cache directory {root} has no room{what} ({exc.strerror or exc}).{needed} Nothing was "
            "left in the cache. Free space there, or set TFHUB_CACHE_DIR to a directory on a disk with room.",
            bytes_needed=bytes_needed,
        )


class ConfirmationNeededError(TfHubError, ValueError):
    """A command would delete several things without being asked to, from a script."""
