"""Extension objects, created unbound: the factory attaches them to each app (tests make many)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from training.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# The base class of every model. mypy cannot take `db.Model`, an attribute of an instance, as a
# base class (python/mypy#8603), so to it `Model` is the declarative base that `db.Model` is
# built from; at run time it is `db.Model` itself.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
