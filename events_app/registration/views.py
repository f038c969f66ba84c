"""Web pages of the registration capability."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("registration", __name__)
