"""The admin section (/admin): programme set-up for admins, read-only lists for auditors.

The views live in one module per noun (admin_campaigns, admin_catalogue, admin_partners, admin_users,
admin_csv) on the one `admin` blueprint of admin_base; importing this module attaches them all.
"""

from __future__ import annotations

from flask import render_template

from review_ui import (  # noqa: F401,E501
    admin_campaigns,
    admin_catalogue,
    admin_csv,
    admin_partners,
    admin_reach,  # noqa: F401  (e-mail campaigns and news)
    admin_rewards,
    admin_users,
)
from review_ui.access import role_required
from review_ui.admin_base import READERS, bp

__all__ = ["bp"]


@bp.get("")
@role_required(*READERS)
def index():
    return render_template("admin/index.html")
