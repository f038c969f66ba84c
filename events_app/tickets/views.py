"""Web pages of the tickets capability."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tickets", __name__)
