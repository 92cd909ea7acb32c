"""A model host speaking the TF Hub protocol, with a browsable catalog.

``tfhub serve ROOT`` runs it; :func:`tfhub.server.app.create_app` is the ASGI
application for other servers. Modules: ``discovery`` (which directories are
models, safely), ``archives`` (archives built once and cached on disk),
``archive_responses`` and ``ranges`` (200/206/304/416), ``catalog`` and
``pages`` (the HTML catalog), ``middleware`` (access log, bearer token),
``app`` (routes) and ``runner`` (uvicorn).
"""
