"""The admin pages: the blueprint (``common``) and one module of routes per area."""

from indirect_work.admin.views import audit, email, home, organisations, people, questions, taxonomy
from indirect_work.admin.views.common import bp

__all__ = ["audit", "bp", "email", "home", "organisations", "people", "questions", "taxonomy"]
