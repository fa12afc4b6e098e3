"""HTML routes of reports: the team dashboard with its month locks, and the commissioner page.

Importing the view modules hangs their routes on the blueprints, which the app factory registers.
"""

from indirect_work.reports.views import commissioner, dashboard, locks
from indirect_work.reports.views.blueprints import bp, commissioning_bp

__all__ = ["bp", "commissioner", "commissioning_bp", "dashboard", "locks"]
