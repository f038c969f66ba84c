"""Web pages of the reports capability."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
