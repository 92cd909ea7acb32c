"""The public surface itself."""

from tests.differential.coverage import surface
from tests.differential.harness import scenario


@scenario([("__version__", "")])
def version_string(hub, ctx):
    return {"is_str": isinstance(hub.__version__, str), "dotted": hub.__version__.count(".") >= 1}


@scenario([], superset=True)
def api_surface(hub, ctx):
    """Every public name and parameter; compared as "tfhub has at least tensorflow_hub's"."""
    return {"surface": surface(hub), "all": sorted(getattr(hub, "__all__", []))}
