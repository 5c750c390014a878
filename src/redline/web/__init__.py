"""The local web app (``redline serve``) and its workspace store.

:func:`redline.web.app.create_app` builds the app; :class:`redline.web.store.Store` keeps saved
versions of scenarios and their results. Both need the ``web`` extra.
"""
