"""The capture services: every write to an activity record or a favourite, and the reads of one's own.

One module per concern (``activities``, ``bulk``, ``listing``, ``favourites``); the names other
packages call are re-exported here.
"""

from indirect_work.capture.services.activities import create_activity, delete_activity, update_activity
from indirect_work.capture.services.bulk import create_many
from indirect_work.capture.services.favourites import (
    MAX_FAVOURITES,
    Template,
    activity_template,
    add_favourite,
    favourite_template,
    get_favourite_for,
    list_favourites,
    recent_templates,
    remove_favourite,
)
from indirect_work.capture.services.listing import (
    MyActivitiesFilter,
    default_team_id,
    get_activity_for,
    last_mechanism_code,
    list_activities_query,
    sum_activities,
    type_usage,
    week_start,
)
from indirect_work.capture.services.sharing import (
    MAX_CO_DELIVERERS,
    CoDeliverer,
    add_co_deliverers,
    change_own_part,
    colleagues,
    remove_co_deliverer,
)

__all__ = [
    "MAX_CO_DELIVERERS",
    "CoDeliverer",
    "add_co_deliverers",
    "change_own_part",
    "colleagues",
    "remove_co_deliverer",
    "MAX_FAVOURITES",
    "MyActivitiesFilter",
    "Template",
    "activity_template",
    "add_favourite",
    "create_activity",
    "create_many",
    "default_team_id",
    "delete_activity",
    "favourite_template",
    "get_activity_for",
    "get_favourite_for",
    "last_mechanism_code",
    "list_activities_query",
    "list_favourites",
    "recent_templates",
    "remove_favourite",
    "sum_activities",
    "type_usage",
    "update_activity",
    "week_start",
]
