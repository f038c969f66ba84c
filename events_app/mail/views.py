"""Web pages of the mail capability."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mail", __name__)
