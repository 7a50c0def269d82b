"""The FastAPI application: combines routers, error handlers and the matcher's lifetime."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors, forward, middleware, observability, security
from api.jobs import Jobs
from api.routes import alerts, campaigns, meta, profiles, search, webhooks, widget
from matcher.alerts import match as alert_match
from matcher.alerts.deliver import Deliverer
from matcher.alerts.store import AlertStore
from matcher.backends.types import Replicated
from matcher.campaign.store import CampaignStore
from matcher.service import build_matcher
from matcher.settings import Settings, get_settings


def create_app(settings: Settings | None = None, matcher=None) -> FastAPI:
    """Build the app; the matcher is created at startup, not at import time."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.matcher = matcher or build_matcher(settings, threads=settings.embed_threads or 1)
        app.state.campaigns = CampaignStore(settings.data_dir)
        app.state.jobs = Jobs()
        backend = app.state.matcher.backend
        following = isinstance(backend, Replicated) and backend.follower
        app.state.alerts = AlertStore(settings.data_dir)
        deliverer = None
        if not following:  # campaign jobs run in the writer (a follower forwards their requests)
            app.state.campaigns.recover()  # a job cut off by a restart is marked failed, with its stage
            alert_match.process(app.state.matcher, app.state.alerts)  # arrivals a crash left queued
            if settings.alerts_deliver_every > 0:
                deliverer = Deliverer(app.state.matcher, app.state.alerts, settings.alerts_deliver_every).start()
        observability.instrument(app)
        security.announce(settings)
        try:
            async with forward.workers(app, settings, app.state.matcher.backend):
                yield
        finally:
            app.state.jobs.stop()  # campaign jobs end between steps, before the matcher closes
            if deliverer is not None:
                deliverer.stop()
            app.state.alerts.close()
            if matcher is None:
                app.state.matcher.close()

    app = FastAPI(title="twinmatch", version="1", lifespan=lifespan, responses=errors.RESPONSES,
                  description="Partner matching for eTwinning-style school networks.")
    app.state.settings = settings
    errors.install(app)
    middleware.install(app, settings)     # body limit, per-key CORS
    observability.install(app)            # request id, JSON logs, /metrics (outermost)
    for module in (profiles, search, meta, widget, campaigns, alerts, webhooks):
        app.include_router(module.router)
    app.state.routes = forward.route_table(app)  # which routes a follower forwards to the writer
    return app
