"""Import every model module so the metadata is complete (for Alembic and create_all)."""


def import_all_models() -> None:
    """Load every feature's models (deliberately lazy: the factory calls this before anything else)."""
    from indirect_work.audit import models as _audit  # noqa: F401
    from indirect_work.auth import models as _auth  # noqa: F401
    from indirect_work.capture import models as _capture  # noqa: F401
    from indirect_work.impact import models as _impact  # noqa: F401
    from indirect_work.org import models as _org  # noqa: F401
    from indirect_work.reminders import models as _reminders  # noqa: F401
    from indirect_work.reports import models as _reports  # noqa: F401
    from indirect_work.taxonomy import models as _taxonomy  # noqa: F401
