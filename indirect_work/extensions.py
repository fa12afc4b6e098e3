"""Flask extensions, created unbound and initialised in the app factory."""

from typing import TYPE_CHECKING

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from indirect_work.core.db import Base
from indirect_work.core.routing_session import RoutingSession

db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login_manager = LoginManager()

# The base class of the models. At runtime it is Flask-SQLAlchemy's ``db.Model`` (a subclass of ``Base``
# that adds the session query property and the bind and table-name handling); ``db.Model`` is an instance
# attribute that mypy cannot use as a base class, so the type checker sees the typed ``Base`` it derives from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
