"""The web application: the review UI and the JSON API in one Flask app."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from claims.db.after_commit import install_handler
from claims.ratelimit import RateLimiter
from claims.runtime import Runtime, build_runtime
from claims.services.mail_campaigns import CAMPAIGN_TOPIC
from claims.services.notifications import install_notifier
from claims.services.orders import ORDER_TOPIC
from claims.services.passwords import RESET_TOPIC
from claims.settings import Settings
from ingest.activities_api import blueprint as activities_api_blueprint
from ingest.api import blueprint as api_blueprint
from ingest.rewards_api import blueprint as rewards_api_blueprint
from review_ui import create_app as create_review_app
from workers.campaign_mail import queue_campaign_expander
from workers.notify import queue_notifier, queue_reset_mailer
from workers.queues import ClaimQueue, connect_redis
from workers.reward_notify import queue_order_notifier


def create_app(runtime: Runtime | None = None, claim_queue: ClaimQueue | None = None, **options) -> Flask:
    """Build the app from settings (environment) unless the parts are given."""
    if runtime is None:
        runtime = build_runtime(Settings.from_env())
    if claim_queue is None:
        claim_queue = ClaimQueue(connect_redis(runtime.settings.redis_url), runtime.settings.job_timeout_seconds)
    app = create_review_app(runtime, claim_queue, **options)
    redis = getattr(claim_queue, "redis", None)  # a test's fake queue has none: no limits, no e-mails then
    app.extensions["paragon.ratelimiter"] = RateLimiter(redis) if redis is not None else None
    if redis is not None:
        install_notifier(runtime.sessions, queue_notifier(redis))
        install_handler(runtime.sessions, RESET_TOPIC, queue_reset_mailer(redis))
        install_handler(runtime.sessions, ORDER_TOPIC, queue_order_notifier(redis))
        install_handler(runtime.sessions, CAMPAIGN_TOPIC, queue_campaign_expander(redis))
    if runtime.settings.trusted_proxies:
        hops = runtime.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.register_blueprint(api_blueprint)
    app.extensions["csrf"].exempt(api_blueprint)  # bearer-token API: no cookies, so no CSRF
    app.register_blueprint(rewards_api_blueprint)
    app.extensions["csrf"].exempt(rewards_api_blueprint)
    app.register_blueprint(activities_api_blueprint)
    app.extensions["csrf"].exempt(activities_api_blueprint)
    return app
